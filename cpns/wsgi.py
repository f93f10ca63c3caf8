import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpns.settings")
application = get_wsgi_application()

# Answer saves that carry their signed token skip the middleware stack (see ujian/fastpath.py).
from ujian.fastpath import AnswerSaveShortcut  # noqa: E402

application = AnswerSaveShortcut(application)
