"""gunicorn settings read from the working directory (/app in the image).

Only what cannot be said on the command line: gunicorn's ``Server`` response header is replaced,
so responses do not name the server software. Bind address, workers and logs stay in
``scripts/docker-entrypoint.sh`` / compose.yaml, configured through the environment.
"""

import gunicorn.http.wsgi

from security.quiet_server import SERVER_NAME

gunicorn.http.wsgi.SERVER = SERVER_NAME
