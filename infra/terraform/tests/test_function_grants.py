"""Each function's IAM role grants exactly what its code calls: nothing missing (production would
refuse the call, which the emulator never does), nothing unused (least privilege).

What the code calls comes from its Rust sources (rust_calls.py). What the role grants comes from
the HCL of `data.aws_iam_policy_document.function`, evaluated for each function of wiring.json:
its statements and its `dynamic "statement"` blocks, in the few forms iam.tf uses; a form this
evaluator does not know fails the test rather than being skipped.

Run from the repository root:
    python -m unittest discover -s infra/terraform/tests -v
"""

import os
import re
import unittest

import rust_calls
from test_policy import META_KEYS, blocks, expression, load, unquote

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

LOG_STREAMS = '${aws_cloudwatch_log_group.function["%s"].arn}:*'
QUEUE = '${aws_sqs_queue.queue["%s"].arn}'
TABLE = "${aws_dynamodb_table.pipeline.arn}"
BUCKET = "${aws_s3_bucket.assets.arn}"
SECRET = "${aws_ssm_parameter.internal_hmac_secret.arn}"
SECRET_KEY = "${aws_kms_key.internal_secrets.arn}"
VIA_SSM = ("StringEquals", "kms:ViaService", ("ssm.${data.aws_region.current.name}.amazonaws.com",))

# What the event source mapping does with the function's role on each queue it consumes.
CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility")


class Unevaluable(Exception):
    pass


class FunctionScope:
    """Evaluates the expressions of the function policy document for one function."""

    def __init__(self, name, wiring):
        self.name = name
        self.wiring = wiring
        self.value = wiring["functions"][name]
        self.consumed = sorted(q for q, cfg in wiring["queues"].items() if cfg["consumer"] == name)

    def reference(self, expr, iterator=None):
        """each.value.a.b, local.consumed_queues[each.key], statement.value."""
        expr = expr.strip()
        if expr == "statement.value" and iterator is not None:
            return iterator
        if expr == "local.consumed_queues[each.key]":
            return self.consumed
        match = re.fullmatch(r"each\.value((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", expr)
        if match:
            current = self.value
            for attr in match.group(1).strip(".").split("."):
                if not isinstance(current, dict) or attr not in current:
                    raise Unevaluable(f"{expr}: wiring.json functions.{self.name} has no {attr}")
                current = current[attr]
            return current
        raise Unevaluable(expr)

    def for_each(self, expr):
        """The iterations of a dynamic block: `length(X) > 0 ? [X] : []` or `X ? [..] : []`."""
        expr = expression(expr)
        match = re.fullmatch(r"length\((.+)\)\s*>\s*0\s*\?\s*\[(.+)\]\s*:\s*\[\]", expr)
        if match and match.group(1).strip() == match.group(2).strip():
            value = self.reference(match.group(1))
            return [value] if len(value) > 0 else []
        match = re.fullmatch(r"(.+?)\s*\?\s*\[(.+)\]\s*:\s*\[\]", expr)
        if match:
            condition = self.reference(match.group(1))
            if not isinstance(condition, bool):
                raise Unevaluable(f"{expr}: condition is not a boolean")
            return [unquote(match.group(2).strip())] if condition else []
        raise Unevaluable(expr)

    def template(self, text, variable=None, value=None):
        """A string with its references to this function resolved."""
        text = text.replace("[each.key]", f'["{self.name}"]')
        if variable is not None:
            text = text.replace("${%s}" % variable, value)
            text = re.sub(r"\[%s\]" % re.escape(variable), f'["{value}"]', text)
        if "each." in text or "statement.value" in text:
            raise Unevaluable(text)
        return text

    def strings(self, value, iterator=None):
        """A list attribute: literal strings, `statement.value`, `each.value...`, or
        `[for x in LIST : TEMPLATE]`."""
        if isinstance(value, list):
            return [self.template(unquote(v)) for v in value]
        expr = expression(value)
        match = re.fullmatch(r"\[\s*for\s+(\w+)\s+in\s+([^:]+):\s*(.+)\]", expr, re.S)
        if match:
            variable, source, body = match.group(1), match.group(2), match.group(3).strip()
            items = self.reference(source, iterator)
            if not body.startswith('"'):
                body = "${%s}" % body
            return [self.template(unquote(body), variable, item) for item in items]
        result = self.reference(expr, iterator)
        if not isinstance(result, list) or not all(isinstance(r, str) for r in result):
            raise Unevaluable(f"{expr}: not a list of strings")
        return result

    def grants(self, statement, iterator=None):
        if unquote(statement.get("effect", "Allow")) != "Allow":
            raise Unevaluable("a Deny statement in a function's policy")
        for key in ("not_actions", "not_resources", "principals"):
            if key in statement:
                raise Unevaluable(f"{key} in a function's policy")
        actions = self.strings(statement.get("actions", []), iterator)
        resources = self.strings(statement.get("resources", []), iterator)
        conditions = []
        for condition in blocks(statement, "condition"):
            conditions.append((
                unquote(condition.get("test")),
                unquote(condition.get("variable")),
                tuple(sorted(self.strings(condition.get("values", []), iterator))),
            ))
        return {(a, r, tuple(sorted(conditions))) for a in actions for r in resources}


def granted(cfg, name, wiring):
    """{(action, resource, conditions)} the function's policy document grants it."""
    documents = [body for doc, body in cfg.of_type("aws_iam_policy_document", kind="data") if doc == "function"]
    if len(documents) != 1:
        raise Unevaluable("expected one data.aws_iam_policy_document.function")
    scope = FunctionScope(name, wiring)
    result = set()
    document = documents[0]
    for statement in blocks(document, "statement"):
        result |= scope.grants(statement)
    for dynamic in blocks(document, "dynamic"):
        for label, body in dynamic.items():
            if label in META_KEYS:
                continue
            if unquote(label) != "statement":
                raise Unevaluable(f'dynamic "{unquote(label)}"')
            for iterator in scope.for_each(body["for_each"]):
                for content in blocks(body, "content"):
                    result |= scope.grants(content, iterator)
    return result


def needed(name, wiring, calls):
    """{(action, resource, conditions)} the function's code and its event sources need."""
    result = {(a, LOG_STREAMS % name, ()) for a in ("logs:CreateLogStream", "logs:PutLogEvents")}
    for queue in sorted(q for q, cfg in wiring["queues"].items() if cfg["consumer"] == name):
        result |= {(a, QUEUE % queue, ()) for a in CONSUME}
    for action, target in calls.actions:
        if target == "table":
            result.add((action, TABLE, ()))
        elif target == "queue":
            result |= {(action, QUEUE % q, ()) for q in wiring["functions"][name]["sends_to"]}
        elif target == "objects":
            prefixes = sorted(calls.prefixes) or [""]
            result |= {(action, f"{BUCKET}/{p}*", ()) for p in prefixes}
        elif target == "bucket":
            prefixes = tuple(sorted(f"{p}*" for p in calls.prefixes))
            condition = (("StringLike", "s3:prefix", prefixes),) if prefixes else ()
            result.add((action, BUCKET, condition))
        elif target == "secret":
            result.add((action, SECRET, ()))
            result.add(("kms:Decrypt", SECRET_KEY, (VIA_SSM,)))
        else:
            raise AssertionError(f"unknown target {target}")
    return result


def describe(grants):
    lines = []
    for action, resource, conditions in sorted(grants):
        suffix = "".join(f" if {t} {v} {list(vals)}" for t, v, vals in conditions)
        lines.append(f"{action} on {resource}{suffix}")
    return "\n    ".join(lines)


class TestFunctionRolesMatchTheirCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.wiring, cls.cfg = load()
        cls.workspace = rust_calls.Workspace(REPO)
        cls.found = {}

    def calls(self, name):
        if name not in self.found:
            crate = os.path.join(REPO, "functions", name)
            self.assertTrue(os.path.isfile(os.path.join(crate, "src", "main.rs")), f"no crate functions/{name}")
            self.found[name] = rust_calls.function_calls(self.workspace, crate)
        return self.found[name]

    def test_every_aws_operation_in_the_code_is_known_to_the_action_table(self):
        for name in self.wiring["functions"]:
            with self.subTest(function=name):
                unknown = self.calls(name).unknown
                self.assertEqual(
                    unknown, [],
                    f"{name} calls AWS operations missing from rust_calls.SDK_ACTIONS (add their IAM action)",
                )

    def test_a_function_sends_to_queues_exactly_when_its_code_sends(self):
        for name, cfg in self.wiring["functions"].items():
            with self.subTest(function=name):
                sends = any(action == "sqs:SendMessage" for action, _ in self.calls(name).actions)
                self.assertEqual(
                    sends, bool(cfg["sends_to"]),
                    f"{name}: code {'sends' if sends else 'sends no message'}, wiring.json sends_to {cfg['sends_to']}",
                )

    def test_each_role_grants_exactly_what_its_function_calls(self):
        for name in self.wiring["functions"]:
            with self.subTest(function=name):
                calls = self.calls(name)
                try:
                    have = granted(self.cfg, name, self.wiring)
                except Unevaluable as error:
                    self.fail(f"{name}: cannot evaluate the function policy document: {error}")
                want = needed(name, self.wiring, calls)
                missing, unused = want - have, have - want
                where = "\n    ".join(
                    f"{action}: {', '.join(sorted(set(places)))}" for (action, _), places in sorted(calls.actions.items())
                )
                self.assertFalse(
                    missing or unused,
                    f"\n{name}'s role and code disagree.\n  missing (the code calls, the role refuses):\n    "
                    f"{describe(missing) or '-'}\n  unused (granted, never called):\n    {describe(unused) or '-'}\n"
                    f"  the code's calls:\n    {where}",
                )

    def test_the_checker_sees_the_erasure_functions_deletes(self):
        # The erasure function is what the emulator hid: make sure the scan keeps finding it.
        actions = {action for action, _ in self.calls("erasure").actions}
        self.assertTrue({"dynamodb:Scan", "dynamodb:BatchWriteItem"} <= actions, actions)
        self.assertTrue(any(a.startswith("s3:DeleteObject") for a in actions), actions)
        self.assertTrue(any(a.startswith("s3:ListBucket") for a in actions), actions)


class TestRustCallScanner(unittest.TestCase):
    """The scanner on small sources: what it must find and what it must not."""

    def test_a_sent_builder_is_a_call_and_a_url_query_is_not(self):
        source = rust_calls.strip_comments(
            'impl Store {\n fn read(&self) { let q = self.client.query()\n .table_name(&t);\n'
            ' q.send().await; }\n fn path(url: &Url) { match url.query() { _ => {} } }\n}\n'
        )
        found = rust_calls.items(source)
        self.assertEqual([(n, o) for n, o, _ in found], [("Store", None), ("read", "Store"), ("path", "Store")])
        self.assertIn(".send()", found[1][2])

    def test_an_operation_chained_after_a_method_call_is_seen(self):
        # `.client()` followed by `.batch_get_item()`: the first match must not swallow the dot
        # the second one starts with.
        text = "let output = self\n .client()\n .batch_get_item()\n .request_items(t, r)\n .send()\n .await;"
        self.assertEqual([m.group(1) for m in rust_calls.FLUENT.finditer(text)][:2], ["client", "batch_get_item"])

    def test_test_modules_and_comments_are_left_out(self):
        source = rust_calls.strip_comments(
            "// self.client.scan().send()\nfn live() {}\n#[cfg(test)]\nmod tests { fn t() { c.scan().table_name(x).send(); } }\n"
        )
        self.assertEqual([n for n, _, _ in rust_calls.items(source)], ["live"])

    def test_braces_in_strings_and_lifetimes_do_not_end_an_item(self):
        source = "fn a<'x>(s: &'x str) -> String { format!(\"}}{{{s}\") }\nfn b() { let c = '}'; }\n"
        self.assertEqual([n for n, _, _ in rust_calls.items(source)], ["a", "b"])


if __name__ == "__main__":
    unittest.main()
