"""gunicorn, the production WSGI server (``make run``, ``make serve`` and production alike; issue 10, finding 12).

From the environment: ``GUNICORN_BIND`` (default 127.0.0.1:8000), ``GUNICORN_WORKERS`` (processes, default 2),
``GUNICORN_THREADS`` (threads per process, default 4), ``GUNICORN_TIMEOUT`` (seconds a request may take before its
worker is restarted, default 30). Each process keeps a database connection pool of ``GUNICORN_THREADS``
connections (settings ``SONGPAN_DB_POOL_MAX_SIZE``), so PostgreSQL sees at most workers × threads connections from
the web, plus the Celery workers' and management commands'. Logs go to stdout/stderr with ID numbers masked.
"""

import os

wsgi_app = "songpan.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (and a little jitter), so that a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
# Only the local reverse proxy may set X-Forwarded-* (the application trusts X-Forwarded-For only with
# SONGPAN_USE_X_FORWARDED_FOR=1).
forwarded_allow_ips = "127.0.0.1"
# gunicorn's control socket (a file in the home directory, one per user) is not used: servers of several checkouts
# on one machine would share it.
control_socket_disable = True

# Access and error logs through handlers that mask ID numbers (a search typed into the admin is in the request
# line). gunicorn merges this with its defaults.
_masked = {"filters": ["mask_id_numbers"], "formatter": "generic"}
logconfig_dict = {
    "filters": {"mask_id_numbers": {"()": "songpan.logfilters.MaskIdNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **_masked},
        "error_console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", **_masked},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
