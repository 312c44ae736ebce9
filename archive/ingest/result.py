"""What extraction hands back, kept apart from `extract` so that its helpers can build it.

Import these from `archive.ingest.extract`, the public module.
"""

import datetime
from dataclasses import dataclass, field

# The largest file the importer accepts; bigger ones are refused before any decoding.
MAX_BYTES = 5 * 1024 * 1024


class ExtractionError(ValueError):
    """Why a file cannot be imported, in words an editor understands."""


@dataclass
class Extracted:
    """One article's fields as the input states them, and notes on how each was found.

    `title` is never empty: for a text without a headline it is made from the first sentence
    and `title_supplied` is True. `published_on` follows `date_precision` as the Article
    model stores it (a month is its first day, a year its 1 January). `notes` tell an editor
    every value that was inferred rather than read, and every piece of text that was dropped.
    """

    title: str
    lead: str
    body: str
    byline: str = ""
    dateline: str = ""
    published_on: datetime.date | None = None
    date_precision: str = "unknown"
    print_page: str = ""
    source_name: str = ""
    source_homepage: str = ""
    canonical_url: str = ""
    language: str = ""
    title_supplied: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        """The lead and the body's paragraphs, in order."""
        return [p for p in [self.lead, *self.body.split("\n\n")] if p]
