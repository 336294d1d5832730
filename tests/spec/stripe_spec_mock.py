#!/usr/bin/env python3
"""stripe_spec_mock: a Stripe API mock driven by Stripe's published OpenAPI spec (spec3).

This is NOT Stripe and not Stripe's stripe-mock. It is a small test double that
routes and validates requests using nothing but the `paths` and `components` of
Stripe's own OpenAPI description, so a client can be checked against Stripe's
documented request shapes instead of against a hand-written emulator:

  * routes by the spec's path templates and methods (404 otherwise);
  * requires `Authorization: Bearer sk_test_...` (401 otherwise);
  * decodes form bodies (POST) / query strings (GET, DELETE) with Stripe's bracket
    nesting (`line_items[0][price]`, `metadata[k]`, `expand[]`);
  * validates them against the operation's schema: unknown parameters, required
    parameters, type, enum, maxLength, anyOf, array items, metadata maps
    (400 with a Stripe-shaped `invalid_request_error`);
  * records every request (params, Idempotency-Key, Stripe-Version, status), listed
    at `GET /_spec/requests`;
  * answers with a fixture object of the response's type (fresh ids and urls for
    created objects), synthesising billing portal sessions.

Like the live API, nested request objects that list `properties` but no
`additionalProperties` are closed ("Received unknown parameter: a[b]"), and an
empty string is accepted only where the spec allows it (anyOf [..., {enum: [""]}],
Stripe's marker for "unset") or as a metadata value.

Usage: python3 stripe_spec_mock.py --spec stripe-spec3.json --port 0 [--fixtures objects.json]
"""
import argparse
import copy
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ParamError(Exception):
    def __init__(self, code, message, param, status=400):
        super().__init__(message)
        self.code, self.message, self.param, self.status = code, message, param, status


def bracket(path):
    """['line_items', 0, 'price'] -> 'line_items[0][price]'"""
    return str(path[0]) + "".join(f"[{p}]" for p in path[1:]) if path else ""


# ---------------------------------------------------------------- form decoding

def decode_form(text):
    """Decode Stripe's bracket-nested form encoding into dicts and lists."""
    root = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=False):
        m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        if not m:
            raise ParamError("parameter_invalid", f"Invalid parameter name: {key}", key)
        parts = [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2))
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # `expand[]=a&expand[]=b`: append
                part = str(len(node))
            if not isinstance(node, dict):
                raise ParamError("parameter_invalid", f"Invalid mix of scalar and nested values for {key}", key)
            if last:
                if part in node:
                    raise ParamError("parameter_invalid", f"Parameter {key} is given more than once", key)
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node):
    """Dicts whose keys are 0..n-1 become lists."""
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node) and sorted(map(int, node)) == list(range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node


# ---------------------------------------------------------------- validation

class Validator:
    def __init__(self, spec):
        self.spec = spec

    def resolve(self, schema):
        while "$ref" in schema:
            node = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def check(self, schema, value, path):
        """Return the value coerced to the schema's types or raise ParamError."""
        schema = self.resolve(schema)
        name = bracket(path)
        if "anyOf" in schema:
            errors = []
            for branch in schema["anyOf"]:
                try:
                    return self.check(branch, value, path)
                except ParamError as e:
                    errors.append(e)
            # Report the deepest error: it is the most telling one.
            raise max(errors, key=lambda e: len(e.param or ""))
        # Stripe marks unsettable parameters with anyOf [..., {enum: [""]}].
        if value == "" and "" not in schema.get("enum", []):
            raise ParamError("parameter_invalid_empty", f"You passed an empty string for '{name}'. We assume "
                             f"empty values are an attempt to unset a parameter; however '{name}' cannot be unset.",
                             name)
        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            return self.check_object(schema, value, path)
        if kind == "array":
            if isinstance(value, dict):  # sparse indexes such as a[1]=x without a[0]
                raise ParamError("parameter_invalid", f"Invalid array: {name} has non-consecutive indexes", name)
            if not isinstance(value, list):
                raise ParamError("parameter_invalid", f"Invalid array: {name} must be a list", name)
            return [self.check(schema.get("items", {}), v, path + [i]) for i, v in enumerate(value)]
        if isinstance(value, (dict, list)):
            raise ParamError("parameter_invalid", f"Invalid {kind or 'value'}: {name} must not be nested", name)
        if "enum" in schema and value not in [str(e).lower() if isinstance(e, bool) else str(e)
                                              for e in schema["enum"]]:
            allowed = ", ".join(repr(e) for e in schema["enum"])
            raise ParamError("parameter_invalid", f"Invalid {name}: must be one of {allowed}", name)
        if kind == "integer":
            if not re.fullmatch(r"-?\d+", value):
                raise ParamError("parameter_invalid_integer", f"Invalid integer: {value}", name)
            return int(value)
        if kind == "number":
            try:
                return float(value)
            except ValueError:
                raise ParamError("parameter_invalid", f"Invalid decimal: {value}", name) from None
        if kind == "boolean":
            if value not in ("true", "false"):
                raise ParamError("parameter_invalid", f"Invalid boolean: {value}", name)
            return value == "true"
        if kind == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
            raise ParamError("parameter_invalid",
                             f"Invalid string: {name} is longer than {schema['maxLength']} characters", name)
        return value

    def check_object(self, schema, value, path):
        name = bracket(path)
        if isinstance(value, list):  # metadata[0]=x: numeric keys are still object keys
            value = {str(i): v for i, v in enumerate(value)}
        if not isinstance(value, dict):
            raise ParamError("parameter_invalid", f"Invalid object: {name} must be a hash", name)
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", False if props else True)
        result = {}
        for key, item in value.items():
            if key in props:
                result[key] = self.check(props[key], item, path + [key])
            elif isinstance(extra, dict):  # metadata: `metadata[key]=` unsets a key
                result[key] = item if item == "" else self.check(extra, item, path + [key])
            elif extra is True:
                result[key] = item
            else:
                param = bracket(path + [key])
                raise ParamError("parameter_unknown", f"Received unknown parameter: {param}", param)
        for key in schema.get("required", []):
            if key not in value:
                param = bracket(path + [key])
                raise ParamError("parameter_missing", f"Missing required param: {param}.", param)
        return result


# ---------------------------------------------------------------- the mock

class SpecMock:
    def __init__(self, spec, fixtures):
        self.spec, self.fixtures = spec, fixtures
        self.validator = Validator(spec)
        self.lock = threading.Lock()
        self.counters = {"object": 0, "request": 0}
        self.requests = []
        self.routes = []  # (regex, literal segment count, template, operations)
        for template, ops in spec["paths"].items():
            segments = template.split("/")
            regex = "/".join("([^/]+)" if seg.startswith("{") else re.escape(seg) for seg in segments)
            literals = sum(1 for seg in segments if not seg.startswith("{"))
            self.routes.append((re.compile(regex + "$"), literals, template, ops))
        self.routes.sort(key=lambda r: -r[1])  # /v1/subscriptions/search before /{id}

    def next_number(self, kind):
        with self.lock:
            self.counters[kind] += 1
            return self.counters[kind]

    def route(self, method, path):
        for regex, _, template, ops in self.routes:
            m = regex.match(path)
            if m and method.lower() in ops:
                names = re.findall(r"\{([^}]+)\}", template)
                values = [urllib.parse.unquote(v) for v in m.groups()]
                return template, ops[method.lower()], dict(zip(names, values))
        return None, None, None

    def request_schema(self, op, method):
        """The schema the decoded parameters are validated against."""
        schema = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
        for p in op.get("parameters", []):
            if p.get("in") == "query":
                schema["properties"][p["name"]] = p.get("schema", {})
                if p.get("required"):
                    schema["required"].append(p["name"])
        if method in ("POST", "DELETE"):
            content = op.get("requestBody", {}).get("content", {})
            body = content.get("application/x-www-form-urlencoded") or content.get("multipart/form-data")
            if body:
                body_schema = self.validator.resolve(body.get("schema", {}))
                schema["properties"].update(body_schema.get("properties", {}))
                schema["required"] += body_schema.get("required", [])
        return schema

    def check_path_params(self, op, path_params):
        for p in op.get("parameters", []):
            if p.get("in") == "path" and p["name"] in path_params:
                self.validator.check(p.get("schema", {}), path_params[p["name"]], [p["name"]])

    def response_object(self, method, template, op, path_params, params):
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        schema = self.validator.resolve(schema)
        object_enum = schema.get("properties", {}).get("object", {}).get("enum") or ["unknown"]
        kind = object_enum[0]
        now = int(time.time())
        if kind in ("list", "search_result"):
            return {"object": kind, "data": [], "has_more": False, "url": template}
        if "deleted" in schema.get("properties", {}):  # deleted_customer and the like
            return {"id": list(path_params.values())[-1], "object": kind, "deleted": True}
        if kind in self.fixtures:
            obj = copy.deepcopy(self.fixtures[kind])
        elif kind == "billing_portal.session":
            obj = {"id": "bps_", "object": kind, "configuration": "bpc_spec0001", "created": now,
                   "customer": None, "flow": None, "livemode": False, "locale": None,
                   "on_behalf_of": None, "return_url": None, "url": None}
        else:
            obj = {"id": kind.split(".")[-1][:3] + "_", "object": kind, "livemode": False, "created": now}
        last_is_id = template.rstrip("/").endswith("}")
        if last_is_id:
            obj["id"] = list(path_params.values())[-1]
        elif method == "POST":  # a creation: fresh id (and url)
            n = self.next_number("object")
            prefix = re.match(r"[a-z]+_(test_)?", str(obj.get("id", "")))
            obj["id"] = f"{prefix.group(0) if prefix else 'obj_'}spec{n:04d}"
            obj["created"] = now
            if kind == "checkout.session":
                obj["url"] = f"https://checkout.stripe.com/c/pay/{obj['id']}"
            elif kind == "billing_portal.session":
                obj["url"] = f"https://billing.stripe.com/p/session/test_spec{n:04d}"
        for key in ("customer", "customer_email", "client_reference_id", "metadata", "success_url",
                    "cancel_url", "mode", "return_url", "cancel_at_period_end", "description"):
            if key in params and key in obj:
                obj[key] = params[key]
        if kind == "subscription" and method == "DELETE":
            obj.update(status="canceled", canceled_at=now, ended_at=now)
        return obj


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mock: SpecMock = None

    def log_message(self, fmt, *args):
        sys.stderr.write("stripe-spec-mock: " + (fmt % args) + "\n")

    def send_json(self, status, payload):
        data = json.dumps(payload, indent=2).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_spec{self.mock.next_number('request'):06d}")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if method == "GET" and url.path == "/_spec/requests":
            with self.mock.lock:
                recorded = list(self.mock.requests)
            return self.send_json(200, recorded)
        record = {"method": method, "path": url.path, "params": None,
                  "idempotency_key": self.headers.get("Idempotency-Key"),
                  "stripe_version": self.headers.get("Stripe-Version"),
                  "status": None, "id": None, "url": None, "error": None, "warnings": []}
        try:
            status, payload = self.answer(method, url, body, record)
        except ParamError as e:
            status = e.status
            payload = {"error": {"type": "invalid_request_error", "code": e.code,
                                 "message": e.message, "param": e.param}}
        if status != 200:
            record["error"] = payload["error"]
        else:
            record["id"], record["url"] = payload.get("id"), payload.get("url")
        record["status"] = status
        with self.mock.lock:
            self.mock.requests.append(record)
        self.send_json(status, payload)

    def answer(self, method, url, body, record):
        template, op, path_params = self.mock.route(method, url.path)
        if op is None:
            return 404, {"error": {"type": "invalid_request_error",
                                   "message": f"Unrecognized request URL ({method}: {url.path})."}}
        auth = self.headers.get("Authorization", "")
        if not re.fullmatch(r"Bearer sk_test_\w+", auth):
            return 401, {"error": {"type": "invalid_request_error",
                                   "message": "Invalid API Key provided: expected Bearer sk_test_..."}}
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if body and content_type != "application/x-www-form-urlencoded":
            raise ParamError("invalid_content_type", "Request bodies must be application/x-www-form-urlencoded; "
                             f"got {content_type or 'none'}", None)
        if method == "POST" and not record["idempotency_key"]:
            record["warnings"].append("POST without an Idempotency-Key header")
        if not record["stripe_version"]:
            record["warnings"].append("no Stripe-Version header")
        text = body.decode("utf-8", "strict") if method != "GET" else ""
        params = decode_form("&".join(t for t in (url.query, text) if t))
        record["params"] = params
        self.mock.check_path_params(op, path_params)
        params = self.mock.validator.check(self.mock.request_schema(op, method), params, [])
        return 200, self.mock.response_object(method, template, op, path_params, params)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, help="Stripe's OpenAPI spec3 JSON")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fixtures", help="JSON object of sample objects keyed by object type")
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    fixtures = {}
    if args.fixtures:
        with open(args.fixtures, encoding="utf-8") as f:
            fixtures = json.load(f)
    Handler.mock = SpecMock(spec, fixtures)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"stripe-spec-mock listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
