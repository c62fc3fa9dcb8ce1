from django.apps import AppConfig


class TillsConfig(AppConfig):
    name = "tills"
    verbose_name = "Tills and shifts"
