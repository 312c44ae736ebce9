"""The readers `run.py` sets loose on the archive: browsing, filtering, searching,
exporting, and sending the bad input a public site gets.

Every request names the status it expects; a bad filter is expected to be refused (400)
or to show its error (200), an unknown address to be a 404. A request counts as a
success only with its expected status. The counts `run.py` checks (statuses, 5xx,
connection errors, unexpected statuses) are written on exit to the JSON file named by
CHANCERY_LOAD_OUTCOMES.

Slugs come from the seed archive, which every load run loads; article slugs are also
picked up from the lists the readers browse, so that new imports are visited too.
"""

import json
import os
import random
import re
from collections import Counter

from locust import HttpUser, between, events, task

ACTORS = ["japan", "russia", "shinzo-abe", "vladimir-putin", "donald-trump", "barack-obama", "fumio-kishida"]
TERRITORIES = ["northern-territories", "kuril-islands", "senkaku-islands", "etorofu", "kunashiri", "crimea"]
SOURCES = ["the-japan-news", "the-yomiuri-shimbun"]
SEED_ARTICLES = [
    "japanese-pm-trump-approves-japans-outreach-to-russia",
    "japans-abe-has-one-thing-in-common-with-trump",
    "abe-tells-obama-he-intends-to-continue-dialogue-with-russia",
    "trumps-election-may-ease-japans-talks-with-russia",
    "russia-looking-for-stronger-economic-relations-with-japan",
]

# Searches as readers type them, by kind (the kind is the name in locust's statistics).
SEARCHES = {
    "common": ["Russia", "Japan", "islands", "Putin", "territorial dispute", "economic cooperation"],
    "rare": ["Kamchatka", "stalemate", "Vladivostok", "Poroshenko", "custody"],
    "phrase": ['"peace treaty"', '"Northern Territories"', '"Prime Minister Shinzo Abe"', '"Japan Times'],
    "or": ["sanctions OR embargo", "Obama OR Trump", "Habomai OR Shikotan", "Crimea OR Ukraine OR G7"],
    "exclusion": ["Putin -Ukraine", "Abe -Trump", 'Russia -"peace treaty"', "islands -Senkaku"],
    "prefix": ["negotiat*", "territor*", "econom* cooperat*"],
    "alias": ["Southern Kurils", "Diaoyu", "Northern Territories", "Kurile Islands", "Iturup", "Senkaku"],
}

# Bad input: (name, address, expected status). HTML lists show a filter's error with a
# 200, JSON refuses it with a 400; an unknown page or slug is a 404.
HUGE = "islands+" * 200  # 1,600 characters, over the 1,000 a query may have
MANY_TERMS = "+".join(f"word{n}" for n in range(40))  # over the 32 terms a query may have
BAD_INPUT = [
    ("bad date", "/articles/?from=2015-13-45", 200),
    ("bad date", "/articles/?from=2016-02-30&format=json", 400),
    ("bad date", "/articles/?to=16-12&format=json", 400),
    ("bad date", "/articles/?from=2018&to=2015", 200),
    ("bad date", "/articles/?from=%D9%A2%D9%A0%D9%A1%D9%A6", 200),
    ("NUL byte", "/articles/?q=Pu%00tin", 200),
    ("NUL byte", "/articles/?actor=ja%00pan", 200),
    ("NUL byte", "/articles/?actor=ja%00pan&format=json", 400),
    ("NUL byte", "/articles/ja%00pan/", 404),
    ("unknown slug", "/articles/no-such-article/", 404),
    ("unknown slug", "/actors/no-such-actor/", 404),
    ("unknown slug", "/territories/atlantis/", 404),
    ("unknown slug", "/sources/no-such-source/?format=json", 404),
    ("unknown slug", "/articles/?territory=atlantis", 200),
    ("unknown slug", "/articles/?territory=atlantis&format=json", 400),
    ("huge query", f"/articles/?q={HUGE}", 200),
    ("huge query", f"/articles/?q={HUGE}&format=json", 400),
    ("huge query", f"/articles/?q={MANY_TERMS}&format=json", 400),
    # Over Django's 1,000 parameters, inside gunicorn's 4,094-byte request line...
    ("huge query", "/articles/?" + "a=&" * 1_001, 400),
    # ...and over that line, which gunicorn refuses before Django sees it.
    ("huge query", f"/articles/?q={'x' * 5_000}", 414),
    ("page out of range", "/articles/?page=9999", 404),
    ("page out of range", "/articles/?page=0", 404),
    ("page out of range", "/articles/?page=abc&format=json", 404),
    ("page out of range", "/actors/?page=999", 404),
    ("page out of range", "/territories/kuril-islands/?page=999", 404),
    ("unknown format", "/articles/?format=xml", 400),
]

_ARTICLE_LINK = re.compile(r'href="/articles/([-\w]+)/"')
_seen_articles = list(SEED_ARTICLES)
_outcomes = {"statuses": Counter(), "server_errors": 0, "connection_errors": 0, "unexpected": 0}


@events.request.add_listener
def _count(response=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    _outcomes["statuses"][str(status)] += 1
    if status >= 500:
        _outcomes["server_errors"] += 1
    if status == 0:  # refused, reset or timed out: no HTTP response at all
        _outcomes["connection_errors"] += 1


@events.quitting.add_listener
def _write_outcomes(environment, **kwargs):
    # Locust's final figures: its CSV files are written before the last readers stop.
    total = environment.stats.total
    figures = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "requests_per_second": round(total.total_rps, 1),
        "p50_ms": total.get_response_time_percentile(0.50),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": round(total.max_response_time or 0),
    }
    path = os.environ.get("CHANCERY_LOAD_OUTCOMES")
    if path:
        with open(path, "w") as f:
            json.dump({**figures, **_outcomes, "statuses": dict(sorted(_outcomes["statuses"].items()))}, f, indent=2)


class Reader(HttpUser):
    wait_time = between(0.5, 2)

    def fetch(self, path, name, expect=200):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code == expect:
                response.success()
            else:
                _outcomes["unexpected"] += 1
                response.failure(f"expected {expect}, got {response.status_code}")
            return response

    def remember_articles(self, response):
        if response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
            for slug in set(_ARTICLE_LINK.findall(response.text)):
                if slug not in _seen_articles and len(_seen_articles) < 2_000:
                    _seen_articles.append(slug)

    @task(5)
    def home(self):
        self.remember_articles(self.fetch("/", "/"))

    @task(6)
    def article_list(self):
        page = random.choice(["", "?page=2", "?page=5", "?sort=oldest", "?page=3&sort=oldest", "?page=last"])
        self.remember_articles(self.fetch(f"/articles/{page}", "/articles/ [page]"))

    @task(10)
    def article(self):
        slug = random.choice(_seen_articles)
        response = self.fetch(f"/articles/{slug}/", "/articles/[slug]/")
        self.remember_articles(response)  # its related articles

    @task(3)
    def entity_index(self):
        path = random.choice(
            ["/actors/", "/territories/", "/sources/", "/actors/?kind=person", "/territories/?kind=island_group"]
        )
        self.fetch(path, "entity index")

    @task(5)
    def entity_page(self):
        kind, slugs = random.choice([("actors", ACTORS), ("territories", TERRITORIES), ("sources", SOURCES)])
        self.remember_articles(self.fetch(f"/{kind}/{random.choice(slugs)}/", f"/{kind}/[slug]/"))

    @task(6)
    def filters(self):
        actor, other = random.sample(ACTORS, 2)
        path = random.choice(
            [
                f"/articles/?actor={actor}",
                f"/articles/?territory={random.choice(TERRITORIES)}&sort=oldest",
                f"/articles/?source={random.choice(SOURCES)}&from=2015&to=2018-12",
                f"/articles/?actor={actor}&actor={other}",
                f"/articles/?actor_not={actor}&from={random.randint(2008, 2024)}",
                f"/articles/?from={random.randint(2008, 2016)}-0{random.randint(1, 9)}&to=2020&page=2",
                "/articles/?actor=shinzo-abe&from=2015&to=2018-12&sort=oldest",
            ]
        )
        self.remember_articles(self.fetch(path, "/articles/ [filters]"))

    @task(10)
    def search(self):
        kind = random.choice(list(SEARCHES))
        query = random.choice(SEARCHES[kind])
        extra = random.choice(["", "", "&sort=newest", "&exact=1", f"&from={random.randint(2008, 2020)}"])
        response = self.fetch(f"/articles/?q={query}{extra}", f"/articles/?q= [{kind}]")
        self.remember_articles(response)
        links = _ARTICLE_LINK.findall(response.text) if response.status_code == 200 else []
        if links:
            # Open a result, with its matches highlighted.
            self.fetch(f"/articles/{random.choice(links)}/?q={query}", "/articles/[slug]/?q=")

    @task(3)
    def json_list(self):
        path = random.choice(
            [
                "/articles/?format=json",
                "/articles/?format=json&page=3",
                f"/articles/?format=json&q={random.choice(SEARCHES['common'])}",
                f"/articles/?format=json&territory={random.choice(TERRITORIES)}",
                "/actors/?format=json",
                f"/territories/{random.choice(TERRITORIES)}/?format=json",
            ]
        )
        self.fetch(path, "JSON")

    @task(2)
    def export(self):
        kind = random.choice(["csv", "atom"])
        path = random.choice(
            [
                f"/articles/?format={kind}",
                f"/articles/?format={kind}&q={random.choice(SEARCHES['alias'])}",
                f"/articles/?format={kind}&actor={random.choice(ACTORS)}&from=2010",
                f"/actors/{random.choice(ACTORS)}/?format={kind}",
                f"/territories/{random.choice(TERRITORIES)}/?format={kind}",
            ]
        )
        self.fetch(path, f"export {kind}")

    @task(4)
    def bad_input(self):
        name, path, expect = random.choice(BAD_INPUT)
        self.fetch(path, f"bad input: {name}", expect)

    @task(1)
    def crawler(self):
        self.fetch(random.choice(["/sitemap.xml", "/robots.txt", "/search/help/"]), "sitemap, robots, help")
