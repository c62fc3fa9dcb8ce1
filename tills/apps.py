from django.apps import AppConfig


class TillsConfig(AppConfig):
    name = "tills"
    verbose_name = "Tills and shifts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from shared import generations
        from tills.models import Register

        # Cache invalidation, not business logic: the till keeps which locations have registers
        # per process (tills.selectors.location_has_registers) and must see every change at once.
        def registers_changed(**kwargs):
            generations.bump(generations.TILL_SETUP)

        post_save.connect(registers_changed, sender=Register, weak=False, dispatch_uid="till_setup_register")
        post_delete.connect(
            registers_changed, sender=Register, weak=False, dispatch_uid="till_setup_register_del"
        )
