"""The JSON shapes of public lists. Kept by hand, small and explicit: this is a public
contract, and every field here is a field someone may rely on."""

def _ref(entity):
    return {"slug": entity.slug, "name": entity.label}


def article_json(article, url):
    """One article as listed, at its absolute `url`. Expects a queryset built with
    `for_listing()`."""
    return {
        "slug": article.slug,
        "title": article.title,
        "url": url,
        "source": _ref(article.source) if article.source else None,
        "published_on": article.date_iso,
        "date_precision": article.date_precision,
        "byline": article.byline,
        "actors": [_ref(actor) for actor in article.tagged_actors],
        "territories": [_ref(territory) for territory in article.tagged_territories],
        # Search results only (archive.search.highlight.decorate): the best passage as
        # HTML, escaped with the matches in <mark>, and the other names that matched.
        **(
            {"snippet": str(article.snippet), "matched_names": article.matched_names}
            if "snippet" in vars(article)  # set on the instance; the class has a default
            else {}
        ),
    }


def entity_json(entity, request):
    """A source, actor or territory as listed on its index."""
    return {
        **_ref(entity),
        "kind": entity.kind,
        "url": request.build_absolute_uri(entity.get_absolute_url()),
        "article_count": entity.article_count,
    }
