"""gunicorn settings; every one can be overridden on the command line or by GUNICORN_CMD_ARGS."""
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2 + 1)))
# Load the app once in the master: a configuration error stops gunicorn with one line.
preload_app = True
timeout = 30
# gunicorn's largest request line (default 4094): every URL the API documents fits (GET /entries with all
# its filters at their longest, percent-encoded), so the app, not gunicorn's HTML page, answers them.
limit_request_line = 8190
graceful_timeout = 10
accesslog = None  # the app logs one JSON line per request itself
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 27's control socket lives at one fixed path per user; several servers (tests, benchmarks)
# on one machine would fight over it, and we do not use it.
control_socket_disable = True
