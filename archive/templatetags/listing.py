"""The parts of an article list that repeat: its cards and its facets' items.

A results page shows 25 cards, each with a title, a source, a date, a snippet and a few
tags, and four facets of up to 25 items: some 300 links. Written as template loops, each
value printed cost the template engine a dozen calls, and the loops took a seventh of a
search page's time and a quarter of the unfiltered list's, at a million articles. Here
each card and each item is one format string.

Every value is escaped on its way in (`_html`), as {{ value }} would be: text from the
database, titles and names included, is hostile input. Only markup that is already safe
(the highlighted title and snippet, escaped before they were marked) goes in as it is.
"""

from html import escape

from django import template
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import Truncator

from archive.models import slug_urls

register = template.Library()


def _html(markup, *values):
    """`markup` with each value escaped, unless already safe, marked safe: format_html(),
    whose escaping is this same html.escape(), reached through wrappers for lazy strings
    that cost more than the escaping itself."""
    return mark_safe(markup.format(*[value if isinstance(value, SafeData) else escape(str(value)) for value in values]))


# The lead shown when a card has no snippet (a list that is not a search), as the
# truncatewords filter cuts it.
LEAD_WORDS = 45

_CARD = """<article class="card">
  <h3 class="card__title"><a href="{}">{}</a></h3>
  <p class="meta">
    {} · <time{}>{}</time>{}
  </p>
  {}{}{}
</article>"""
_SOURCE = '<a href="{}">{}</a>'
_NO_SOURCE = "<span>Source unknown</span>"
_DATETIME = ' datetime="{}"'
_BYLINE = " · <span>{}</span>"
_SNIPPET = '<p class="card__lead snippet">{}</p>'
_LEAD = '<p class="card__lead">{}</p>'
_ALIASES = '\n  <p class="aliases">{}</p>'
_ALIAS = '<span class="alias">{} → {}{}</span>'
_TAGS = '\n  <ul class="tags" aria-label="Tags">{}{}</ul>'
_ACTOR = '<li><a class="tag tag--actor" href="{}">{}</a></li>'
_TERRITORY = '<li><a class="tag tag--territory" href="{}">{}</a></li>'


@register.simple_tag(takes_context=True)
def article_card(context, article):
    """An article in a list: its title (marked, in a search) linking to its page, where it
    came from and when, its snippet or the start of its lead, the names it was found by,
    and its tags."""
    href = article.get_absolute_url()
    if highlight_params := context.get("highlight_params"):
        href += "?" + highlight_params  # the article page marks the same words
    source = article.source
    iso = article.date_iso
    if article.snippet:
        lead = _html(_SNIPPET, article.snippet)
    elif article.lead:
        lead = _html(_LEAD, Truncator(article.lead).words(LEAD_WORDS, truncate=" …"))
    else:
        lead = ""
    return _html(
        _CARD,
        href,
        article.title_html or article.title,
        _html(_SOURCE, source.get_absolute_url(), source.name) if source else mark_safe(_NO_SOURCE),
        _html(_DATETIME, iso) if iso else "",
        article.date_display,
        _html(_BYLINE, article.byline) if article.byline else "",
        lead,
        _aliases(article.matched_names),
        _tags(article.tagged_actors, article.tagged_territories),
    )


def _aliases(matched_names):
    """How a search word found this article under another name: "Kurils → Northern
    Territories", or "Putin → tagged Vladimir Putin" when by a tag."""
    if not matched_names:
        return ""
    aliases = [
        _html(
            _ALIAS,
            name["query"],
            "tagged " if name["via"] == "tag" else "",
            mark_safe(", ".join([escape(str(other)) for other in name["matched"]])),
        )
        for name in matched_names
    ]
    return _html(_ALIASES, mark_safe("; ".join(aliases)))


def _tags(actors, territories):
    if not actors and not territories:
        return ""
    actor_url, territory_url = slug_urls("archive:actor-detail"), slug_urls("archive:territory-detail")
    return _html(
        _TAGS,
        mark_safe("".join([_html(_ACTOR, actor_url(actor.slug), actor.name) for actor in actors])),
        mark_safe("".join([_html(_TERRITORY, territory_url(place.slug), place.label) for place in territories])),
    )


_SELECTED = (
    '<li class="is-selected"><a href="{}" aria-current="true"><span aria-hidden="true">✓ </span>{}'
    '<span class="visually-hidden"> (chosen; follow to remove)</span></a>'
    '<span class="facet__end"><span class="count">{}</span></span></li>'
)
_OFFERED = '<li><a href="{}">{}</a><span class="facet__end"><span class="count">{}</span>{}</span></li>'
_EXCLUDE = (
    '<a class="facet__exclude" href="{}" title="Exclude {}"><span aria-hidden="true">−</span>'
    '<span class="visually-hidden">Exclude {}</span></a>'
)


@register.simple_tag
def facet_items(facet):
    """A facet's values as list items: a chosen one links to its removal, any other to
    adding it and, where it can be left out, to excluding it."""
    return mark_safe("\n".join(map(_facet_item, facet.items)))


def _facet_item(item):
    if item.selected:
        return _html(_SELECTED, item.href, item.label, item.count)
    exclude = _html(_EXCLUDE, item.exclude_href, item.label, item.label) if item.exclude_href else ""
    return _html(_OFFERED, item.href, item.label, item.count, exclude)
