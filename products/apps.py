from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from products.models import Location
        from shared import generations

        # Cache invalidation, not business logic: the till keeps the locations per process
        # (products.selectors.get_location_for_sale) and must see every change at once.
        def locations_changed(**kwargs):
            generations.bump(generations.TILL_SETUP)

        post_save.connect(locations_changed, sender=Location, weak=False, dispatch_uid="till_setup_location")
        post_delete.connect(
            locations_changed, sender=Location, weak=False, dispatch_uid="till_setup_location_del"
        )
