"""flask-smorest's Blueprint, with query parameters parsed as strictly as bodies."""
from flask_smorest import Blueprint as _SmorestBlueprint
from webargs.flaskparser import FlaskParser


class _Parser(FlaskParser):
    # webargs drops unknown query parameters by default; the contract wants them refused (422), like unknown
    # body fields. None defers to the schema's own Meta.unknown, which is RAISE for every BaseSchema.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}


class Blueprint(_SmorestBlueprint):
    ARGUMENTS_PARSER = _Parser()
