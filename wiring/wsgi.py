import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiring.settings")
# What django.core.wsgi.get_wsgi_application() does, with IHF's handler (hubs/fastpath.py says why).
django.setup(set_prefix=False)

from hubs.fastpath import WSGIHandler  # noqa: E402 — it imports models, so only after setup

application = WSGIHandler()
