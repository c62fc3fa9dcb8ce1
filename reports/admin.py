"""The admin index as the shop's back office: the dashboard and the daily pages one click away.

reports has no models; this module only points the admin site's index at a template that adds a
"Back office" panel (dashboard, stock pages, filtered lists) above the usual app list.
"""

from django.contrib import admin

admin.site.index_template = "admin/pos_index.html"
