"""Policy tests for infra/terraform, read from the HCL itself (python-hcl2), checked against
infra/wiring.json.

Run from the repository root:
    python -m unittest discover -s infra/terraform/tests -v

Only the standard library plus python-hcl2 (8.x; 4.x-7.x output is handled too).
"""

import glob
import json
import os
import re
import unittest

import hcl2

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
TF_DIR = os.path.dirname(TESTS_DIR)
WIRING_PATH = os.path.join(os.path.dirname(TF_DIR), "wiring.json")

# Keys python-hcl2 adds to its output that are not part of the configuration.
META_KEYS = {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}

UNRESOLVED = object()


# ------------------------------------------------------------------------------------------------
# Normalising python-hcl2 output
# ------------------------------------------------------------------------------------------------


def unquote(value):
    """python-hcl2 8.x keeps the quotes of string literals and of block labels; older versions
    do not. Return the string without one surrounding pair of double quotes."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _closing_brace(text, open_index):
    """Index of the brace closing the one at open_index, skipping braces inside string literals."""
    depth = 0
    in_string = False
    i = open_index
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def expression(value):
    """The bare HCL expression of an attribute value: "${local.queues}" -> "local.queues".
    Literal strings come back unquoted; templates ("${a}-${b}") come back as they are."""
    if not isinstance(value, str):
        return value
    text = unquote(value).strip()
    if text.startswith("${") and _closing_brace(text, 1) == len(text) - 1:
        return text[2:-1].strip()
    return text


def literal_strings(value):
    """A list attribute's literal strings, whatever the python-hcl2 version."""
    if isinstance(value, list):
        return [unquote(v) for v in value if isinstance(v, str)]
    if isinstance(value, str):
        return [unquote(value)]
    return []


def blocks(body, name):
    """The nested blocks called `name` of a block body (always a list of bodies)."""
    found = body.get(name, [])
    if isinstance(found, dict):
        found = [found]
    return [b for b in found if isinstance(b, dict)]


def dynamic_blocks(body, name):
    """The `content` bodies of `dynamic "<name>"` blocks in a block body."""
    contents = []
    for dyn in blocks(body, "dynamic"):
        for label, dyn_body in dyn.items():
            if label in META_KEYS or unquote(label) != name:
                continue
            contents.extend(blocks(dyn_body, "content"))
    return contents


def walk_strings(node):
    """Every string anywhere in a parsed body (keys excluded, python-hcl2 comments excluded)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)
    elif isinstance(node, dict):
        for key, item in node.items():
            if key in META_KEYS:
                continue
            yield from walk_strings(item)


# ------------------------------------------------------------------------------------------------
# Loading the configuration
# ------------------------------------------------------------------------------------------------


class Config:
    def __init__(self, tf_dir):
        self.files = sorted(glob.glob(os.path.join(tf_dir, "*.tf")))
        self.resources = []  # (type, name, body, file)
        self.data = []  # (type, name, body, file)
        self.locals = {}
        self.checks = []  # body of every check block
        for path in self.files:
            with open(path, encoding="utf-8") as handle:
                parsed = hcl2.load(handle)
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for entry in parsed.get(kind, []):
                    for rtype, named in entry.items():
                        if rtype in META_KEYS:
                            continue
                        for rname, body in named.items():
                            if rname in META_KEYS:
                                continue
                            target.append((unquote(rtype), unquote(rname), body, os.path.basename(path)))
            for entry in parsed.get("locals", []):
                for key, value in entry.items():
                    if key not in META_KEYS:
                        self.locals[key] = value
            for entry in parsed.get("check", []):
                for label, body in entry.items():
                    if label not in META_KEYS:
                        self.checks.append(body)

    def of_type(self, rtype, kind="resource"):
        pool = self.resources if kind == "resource" else self.data
        return [(name, body) for t, name, body, _ in pool if t == rtype]

    def resolve(self, value, wiring, depth=0):
        """Resolve a reference to wiring.json through locals: local.queues -> wiring["queues"]
        when `queues = local.wiring.queues` and `wiring = jsondecode(file(".../wiring.json"))`.
        Returns UNRESOLVED for anything else."""
        if depth > 20:
            return UNRESOLVED
        expr = expression(value)
        if not isinstance(expr, str):
            return expr
        if re.fullmatch(r'jsondecode\(\s*file\(\s*"[^"]*\.\./wiring\.json"\s*\)\s*\)', expr):
            return wiring
        match = re.fullmatch(r"local\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)", expr)
        if not match or match.group(1) not in self.locals:
            return UNRESOLVED
        current = self.resolve(self.locals[match.group(1)], wiring, depth + 1)
        for attr in filter(None, match.group(2).split(".")):
            if current is UNRESOLVED or not isinstance(current, dict) or attr not in current:
                return UNRESOLVED
            current = current[attr]
        return current


def load():
    with open(WIRING_PATH, encoding="utf-8") as handle:
        wiring = json.load(handle)
    return wiring, Config(TF_DIR)


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------


class PolicyTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.wiring, cls.cfg = load()

    def assert_covers(self, body, section, what):
        """The block's for_each resolves to exactly wiring.json's `section`."""
        self.assertIn("for_each", body, f"{what} has no for_each over wiring.json {section}")
        resolved = self.cfg.resolve(body["for_each"], self.wiring)
        self.assertIsNot(
            resolved, UNRESOLVED,
            f"{what}: for_each {body['for_each']!r} does not resolve to wiring.json (via locals)",
        )
        self.assertIsInstance(resolved, dict, f"{what}: for_each must be wiring.json's {section} map")
        self.assertEqual(
            set(resolved), set(self.wiring[section]),
            f"{what}: for_each does not cover exactly the {section} of wiring.json",
        )


class TestParsing(PolicyTestCase):
    def test_every_tf_file_parses(self):
        self.assertTrue(self.cfg.files, "no .tf files found")
        self.assertTrue(self.cfg.resources, "no resources parsed")

    def test_wiring_is_read_with_jsondecode(self):
        sources = [k for k, v in self.cfg.locals.items() if self.cfg.resolve(v, self.wiring) is self.wiring]
        self.assertTrue(sources, 'no local is jsondecode(file("${path.module}/../wiring.json"))')


class TestQueues(PolicyTestCase):
    """1. Every non-DLQ aws_sqs_queue has a redrive_policy to a DLQ; for_each covers all queues."""

    def queues(self):
        dlqs, work = {}, {}
        for name, body in self.cfg.of_type("aws_sqs_queue"):
            queue_name = expression(body.get("name", ""))
            (dlqs if str(queue_name).endswith("-dlq") else work)[name] = body
        return dlqs, work

    def test_dlq_resources_exist(self):
        dlqs, _ = self.queues()
        self.assertTrue(dlqs, "no dead-letter queue (aws_sqs_queue named *-dlq) declared")

    def test_every_work_queue_redrives_to_a_dlq(self):
        dlqs, work = self.queues()
        self.assertTrue(work, "no work queue declared")
        for name, body in work.items():
            with self.subTest(queue=name):
                self.assertIn("redrive_policy", body, f"aws_sqs_queue.{name} has no redrive_policy")
                policy = expression(body["redrive_policy"])
                self.assertIn("deadLetterTargetArn", policy)
                self.assertIn("maxReceiveCount", policy)
                targets = re.findall(r"aws_sqs_queue\.([A-Za-z0-9_-]+)", policy)
                self.assertTrue(targets, f"aws_sqs_queue.{name}: redrive_policy references no queue")
                for target in targets:
                    self.assertIn(target, dlqs, f"aws_sqs_queue.{name}: redrive target {target} is not a DLQ")
                # Each queue redrives to its own DLQ: aws_sqs_queue.<dlq>[each.key].arn.
                self.assertRegex(
                    policy, r"deadLetterTargetArn\s*=\s*aws_sqs_queue\.[A-Za-z0-9_-]+\[each\.key\]\.arn",
                    f"aws_sqs_queue.{name}: deadLetterTargetArn must be the queue's own DLQ ([each.key])",
                )
                self.assertRegex(
                    policy, r"maxReceiveCount\s*=\s*each\.value\.max_receive_count",
                    f"aws_sqs_queue.{name}: maxReceiveCount must come from wiring.json",
                )

    def test_work_queues_and_their_dlqs_cover_all_wiring_queues(self):
        dlqs, work = self.queues()
        for name, body in work.items():
            with self.subTest(queue=name):
                self.assert_covers(body, "queues", f"aws_sqs_queue.{name}")
                policy = expression(body.get("redrive_policy", ""))
                for target in re.findall(r"aws_sqs_queue\.([A-Za-z0-9_-]+)\[each\.key\]", policy):
                    self.assert_covers(dlqs[target], "queues", f"aws_sqs_queue.{target}")
                self.assertEqual(
                    expression(body.get("visibility_timeout_seconds")), "each.value.visibility_timeout_s",
                    f"aws_sqs_queue.{name}: visibility timeout must come from wiring.json",
                )

    def test_dlqs_only_accept_redrive_from_their_queue(self):
        dlqs, _ = self.queues()
        allowed = {n for n, b in dlqs.items() if "redrive_allow_policy" in b}
        for _, body in self.cfg.of_type("aws_sqs_queue_redrive_allow_policy"):
            allowed.update(re.findall(r"aws_sqs_queue\.([A-Za-z0-9_-]+)", expression(body.get("queue_url", ""))))
        for name, body in dlqs.items():
            if "for_each" in body and self.cfg.resolve(body["for_each"], self.wiring) is not UNRESOLVED:
                self.assertIn(name, allowed, f"DLQ aws_sqs_queue.{name} has no redrive_allow_policy")

    def test_every_queue_is_encrypted(self):
        for name, body in self.cfg.of_type("aws_sqs_queue"):
            with self.subTest(queue=name):
                self.assertIs(body.get("sqs_managed_sse_enabled"), True, f"aws_sqs_queue.{name} lacks SSE")


class TestEventSourceMappings(PolicyTestCase):
    """2. Every event source mapping reports batch item failures."""

    def test_report_batch_item_failures(self):
        mappings = self.cfg.of_type("aws_lambda_event_source_mapping")
        self.assertTrue(mappings, "no aws_lambda_event_source_mapping declared")
        for name, body in mappings:
            with self.subTest(mapping=name):
                self.assertIn(
                    "ReportBatchItemFailures", literal_strings(body.get("function_response_types")),
                    f"aws_lambda_event_source_mapping.{name} lacks ReportBatchItemFailures",
                )

    def test_mappings_cover_all_queues_and_target_the_consumer(self):
        for name, body in self.cfg.of_type("aws_lambda_event_source_mapping"):
            with self.subTest(mapping=name):
                self.assert_covers(body, "queues", f"aws_lambda_event_source_mapping.{name}")
                self.assertRegex(
                    expression(body.get("function_name", "")),
                    r"^aws_lambda_function\.[A-Za-z0-9_-]+\[each\.value\.consumer\]",
                )
                self.assertEqual(expression(body.get("batch_size")), "each.value.batch_size")


class TestLambdaFunctions(PolicyTestCase):
    """3. Every function runs on provided.al2023 (arm64, bootstrap)."""

    def test_runtime_provided_al2023(self):
        functions = self.cfg.of_type("aws_lambda_function")
        self.assertTrue(functions, "no aws_lambda_function declared")
        for name, body in functions:
            with self.subTest(function=name):
                self.assertEqual(expression(body.get("runtime")), "provided.al2023")
                self.assertEqual(expression(body.get("handler")), "bootstrap")
                self.assertEqual(literal_strings(body.get("architectures")), ["arm64"])

    def test_functions_cover_wiring(self):
        for name, body in self.cfg.of_type("aws_lambda_function"):
            with self.subTest(function=name):
                self.assert_covers(body, "functions", f"aws_lambda_function.{name}")
                self.assertEqual(expression(body.get("timeout")), "each.value.timeout_s")
                self.assertEqual(expression(body.get("memory_size")), "each.value.memory_mb")

    def test_no_secret_value_in_environment(self):
        for name, body in self.cfg.of_type("aws_lambda_function"):
            for env in blocks(body, "environment"):
                text = " ".join(walk_strings(env))
                with self.subTest(function=name):
                    self.assertIn("INTERNAL_HMAC_SECRET_PARAMETER", text)
                    self.assertNotIn("var.internal_hmac_secret", text)
                    self.assertNotRegex(text, r"aws_ssm_parameter\.[A-Za-z0-9_]+\.(value|insecure_value)")


class TestIamPolicies(PolicyTestCase):
    """4. No IAM policy statement has Resource "*"; the only wildcards are log-stream suffixes of
    a log group and object keys of a bucket (all of them, or those under a prefix)."""

    POLICY_TYPES = {
        "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
        "aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_kms_key", "aws_iam_role",
    }
    INLINE_WILDCARD = re.compile(r"""["']?(Not)?Resources?["']?\s*[:=]\s*\[?\s*["']\*["']""")

    def statements(self):
        found = []
        for name, body in self.cfg.of_type("aws_iam_policy_document", kind="data"):
            for statement in blocks(body, "statement") + dynamic_blocks(body, "statement"):
                found.append((f"data.aws_iam_policy_document.{name}", statement))
        return found

    def test_policy_documents_exist(self):
        self.assertTrue(self.statements(), "no aws_iam_policy_document statements found")

    def test_no_resource_star_in_policy_documents(self):
        for where, statement in self.statements():
            for key in ("resources", "not_resources"):
                if key not in statement:
                    continue
                value = statement[key]
                with self.subTest(policy=where, sid=unquote(statement.get("sid", "?"))):
                    if isinstance(value, list):
                        for item in value:
                            resource = expression(item)
                            self.assertNotEqual(resource, "*", f'{where}: {key} = ["*"]')
                            if "*" in str(resource):
                                allowed = (
                                    re.fullmatch(r"\$\{aws_cloudwatch_log_group\.[^}]+\.arn\}:\*", str(resource))
                                    or re.fullmatch(r"\$\{aws_s3_bucket\.[^}]+\.arn\}/([a-z0-9_-]+/|\*/)*\*", str(resource))
                                )
                                self.assertTrue(allowed, f"{where}: wildcard resource {resource!r}")
                    else:
                        expr = expression(value)
                        self.assertNotEqual(expr, "*", f'{where}: {key} = "*"')
                        self.assertNotRegex(str(expr), r'"\*"', f"{where}: {key} contains \"*\"")

    def test_no_resource_star_in_inline_policies(self):
        for rtype, name, body, _ in self.cfg.resources + self.cfg.data:
            if rtype not in self.POLICY_TYPES:
                continue
            for text in walk_strings(body):
                with self.subTest(resource=f"{rtype}.{name}"):
                    self.assertIsNone(
                        self.INLINE_WILDCARD.search(text), f'{rtype}.{name}: inline policy with Resource "*"'
                    )

    def test_function_roles_derive_from_wiring(self):
        for name, body in self.cfg.of_type("aws_iam_role"):
            if "for_each" in body:
                with self.subTest(role=name):
                    self.assert_covers(body, "functions", f"aws_iam_role.{name}")


class TestWiringConsistency(PolicyTestCase):
    """5. wiring.json is self-consistent, and the HCL derives targets from it and enforces it."""

    def test_schedules_target_functions(self):
        for schedule, cfg in self.wiring["schedules"].items():
            with self.subTest(schedule=schedule):
                self.assertIn(cfg["function"], self.wiring["functions"])

    def test_queue_consumers_are_functions(self):
        for queue, cfg in self.wiring["queues"].items():
            with self.subTest(queue=queue):
                self.assertIn(cfg["consumer"], self.wiring["functions"])

    def test_sends_to_names_queues(self):
        for function, cfg in self.wiring["functions"].items():
            for queue in cfg["sends_to"]:
                with self.subTest(function=function, queue=queue):
                    self.assertIn(queue, self.wiring["queues"])

    def test_visibility_timeout_at_least_six_times_consumer_timeout(self):
        for queue, cfg in self.wiring["queues"].items():
            consumer = self.wiring["functions"].get(cfg["consumer"])
            with self.subTest(queue=queue):
                self.assertIsNotNone(consumer)
                self.assertGreaterEqual(cfg["visibility_timeout_s"], 6 * consumer["timeout_s"])

    def test_schedules_are_derived_and_target_wired_functions(self):
        schedules = self.cfg.of_type("aws_scheduler_schedule")
        self.assertTrue(schedules, "no aws_scheduler_schedule declared")
        for name, body in schedules:
            with self.subTest(schedule=name):
                self.assert_covers(body, "schedules", f"aws_scheduler_schedule.{name}")
                self.assertEqual(expression(body.get("schedule_expression")), "each.value.expression")
                targets = blocks(body, "target")
                self.assertTrue(targets)
                self.assertRegex(
                    expression(targets[0].get("arn", "")),
                    r"^aws_lambda_function\.[A-Za-z0-9_-]+\[each\.value\.function\]\.arn$",
                )
                self.assertTrue(blocks(targets[0], "dead_letter_config"), "schedule target without DLQ")
                modes = [expression(b.get("mode")) for b in blocks(body, "flexible_time_window")]
                self.assertEqual(modes, ["OFF"])

    def test_sends_to_becomes_queue_url_environment(self):
        for name, body in self.cfg.of_type("aws_lambda_function"):
            env = " ".join(walk_strings(blocks(body, "environment")))
            with self.subTest(function=name):
                self.assertRegex(env, r"for\s+\w+\s+in\s+each\.value\.sends_to")

    def test_hcl_enforces_visibility_rule(self):
        conditions = []
        for _, _, body, _ in self.cfg.resources:
            for lifecycle in blocks(body, "lifecycle"):
                conditions += [expression(p.get("condition", "")) for p in blocks(lifecycle, "precondition")]
        for check in self.cfg.checks:
            conditions += [expression(a.get("condition", "")) for a in blocks(check, "assert")]
        rule = re.compile(r"visibility_timeout_s\s*>=\s*6\s*\*.*timeout_s")
        self.assertTrue(
            any(rule.search(str(c)) for c in conditions),
            "no precondition/check asserting visibility_timeout_s >= 6 x consumer timeout_s",
        )


class TestDynamoDb(PolicyTestCase):
    """6. The table has TTL enabled on wiring.json's ttl_attribute."""

    def test_ttl_on_wiring_attribute(self):
        tables = self.cfg.of_type("aws_dynamodb_table")
        self.assertTrue(tables, "no aws_dynamodb_table declared")
        for name, body in tables:
            with self.subTest(table=name):
                ttls = blocks(body, "ttl")
                self.assertEqual(len(ttls), 1, f"aws_dynamodb_table.{name} has no ttl block")
                self.assertIs(ttls[0].get("enabled"), True, f"aws_dynamodb_table.{name}: ttl not enabled")
                attribute = ttls[0].get("attribute_name")
                resolved = self.cfg.resolve(attribute, self.wiring)
                if resolved is UNRESOLVED:
                    resolved = expression(attribute)
                self.assertEqual(resolved, self.wiring["table"]["ttl_attribute"])

    def test_keys_from_wiring(self):
        for name, body in self.cfg.of_type("aws_dynamodb_table"):
            with self.subTest(table=name):
                for attr, key in (("hash_key", "hash_key"), ("range_key", "range_key")):
                    resolved = self.cfg.resolve(body.get(attr), self.wiring)
                    if resolved is UNRESOLVED:
                        resolved = expression(body.get(attr))
                    self.assertEqual(resolved, self.wiring["table"][key])
                self.assertEqual(expression(body.get("billing_mode")), "PAY_PER_REQUEST")
                pitr = blocks(body, "point_in_time_recovery")
                self.assertTrue(pitr and pitr[0].get("enabled") is True, "point-in-time recovery off")


if __name__ == "__main__":
    unittest.main()
