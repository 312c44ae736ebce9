from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Chancery archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive import checks, stats  # noqa: F401 (checks registers itself)
        from archive.models import Actor, ActorName, Article, ArticleActor, ArticleTerritory, Territory, TerritoryName
        from archive.search import aliases
        from archive.search.index import on_article_saved

        # Every save reaches the search index, raw ones from loaddata included.
        post_save.connect(on_article_saved, sender=Article, dispatch_uid="archive-search-index")
        # Any change to a name makes search rebuild its table of names.
        for model in (Actor, ActorName, Territory, TerritoryName):
            for signal in (post_save, post_delete):
                signal.connect(aliases.forget, sender=model, dispatch_uid=f"archive-aliases-{model.__name__}")
        # A change to what the public sees counted makes the cached numbers recount
        # (archive.stats; the bulk paths are hooked in the querysets).
        pre_save.connect(stats.article_will_change, sender=Article, dispatch_uid="archive-stats-article-pre")
        post_save.connect(stats.article_saved, sender=Article, dispatch_uid="archive-stats-article")
        post_delete.connect(stats.article_deleted, sender=Article, dispatch_uid="archive-stats-article-delete")
        for link in (ArticleActor, ArticleTerritory):
            for signal in (post_save, post_delete):
                signal.connect(stats.tag_saved_or_deleted, sender=link, dispatch_uid=f"archive-stats-{link.__name__}")
