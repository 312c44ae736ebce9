from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Chancery archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive.models import Actor, ActorName, Article, Territory, TerritoryName
        from archive.search import aliases
        from archive.search.index import on_article_saved

        # Every save reaches the search index, raw ones from loaddata included.
        post_save.connect(on_article_saved, sender=Article, dispatch_uid="archive-search-index")
        # Any change to a name makes search rebuild its table of names.
        for model in (Actor, ActorName, Territory, TerritoryName):
            for signal in (post_save, post_delete):
                signal.connect(aliases.forget, sender=model, dispatch_uid=f"archive-aliases-{model.__name__}")
