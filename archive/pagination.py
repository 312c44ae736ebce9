"""A paginator that can page through a result whose size is only estimated.

A search planned into a window (archive.search.plan) knows exactly how many matches the
window holds, which is what can be paged through, and only estimates the whole result,
which is what the page says ("about 310,000 articles").
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class ArchivePaginator(Paginator):
    def __init__(self, object_list, per_page, *, count=None, total=None, estimated=False, note="", **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count, self._total = count, total
        self.estimated = estimated  # `total` is an estimate
        self.note = note  # what a reader should know about a partial ranking

    def page(self, number):
        """A page whose rows are fetched in two steps when the list can (ArticleQuerySet.
        page_rows): the ids in order, then those rows."""
        if not hasattr(self.object_list, "page_rows"):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list.page_rows(bottom, top), number, self)

    @cached_property
    def count(self):
        return super().count if self._count is None else self._count

    @property
    def total(self):
        """The whole result's size, as the page states it (see `estimated`)."""
        return self.count if self._total is None else self._total

    @property
    def total_text(self):
        """"about 310,000" or "1,204": how the page states the result's size."""
        return f"about {self.total:,}" if self.estimated else f"{self.total:,}"
