"""What AWS calls each function's code makes, read from its Rust sources.

A function's code is its crate (`functions/<name>`, every file under `src/` outside
`#[cfg(test)]`) plus the parts of the workspace libraries it depends on (its `[dependencies]`,
followed through their own) that this code reaches: a library's top-level items (an `impl` of a
type, a free `fn`, a `struct`...) are reached when reached code names them, until nothing new is
reached. So a function that depends on `queues` but never names `SqsPublisher` does not send
messages, and one that never reaches `pipeline::config::internal_secret` does not read the secret.

Calls are the `aws-sdk-*` fluent operations (`.scan()` ... `.send()`), mapped to IAM actions by
SDK_ACTIONS; the AWS Parameters and Secrets extension's URL counts as `ssm:GetParameter`. A
fluent operation missing from the table is reported, so that a new call cannot pass unnoticed.

Only the standard library (tomllib: Python 3.11+).
"""

import os
import re
import tomllib

# SDK operation -> (IAM action, what it acts on). "table": the pipeline table; "objects": the
# bucket's objects; "bucket": the bucket itself (listing); "queue": the queues it sends to.
# DeleteObjects needs s3:DeleteObject per key, or s3:DeleteObjectVersion when it names versions
# (see VERSIONED_DELETE); SendMessageBatch needs sqs:SendMessage.
SDK_ACTIONS = {
    "get_item": ("dynamodb:GetItem", "table"),
    "put_item": ("dynamodb:PutItem", "table"),
    "update_item": ("dynamodb:UpdateItem", "table"),
    "delete_item": ("dynamodb:DeleteItem", "table"),
    "query": ("dynamodb:Query", "table"),
    "scan": ("dynamodb:Scan", "table"),
    "batch_get_item": ("dynamodb:BatchGetItem", "table"),
    "batch_write_item": ("dynamodb:BatchWriteItem", "table"),
    "get_object": ("s3:GetObject", "objects"),
    "head_object": ("s3:GetObject", "objects"),
    "put_object": ("s3:PutObject", "objects"),
    "delete_object": ("s3:DeleteObject", "objects"),
    "delete_objects": ("s3:DeleteObject", "objects"),
    "list_objects_v2": ("s3:ListBucket", "bucket"),
    "list_object_versions": ("s3:ListBucketVersions", "bucket"),
    "send_message": ("sqs:SendMessage", "queue"),
    "send_message_batch": ("sqs:SendMessage", "queue"),
}

# A delete that names a version (`.version_id(..)`/`.set_version_id(..)` in the same item)
# removes that version for good, which IAM grants as s3:DeleteObjectVersion.
VERSIONED_DELETE = re.compile(r"\.(set_)?version_id\(")

# The Parameters and Secrets Lambda extension answers GetParameter with the role's credentials.
SSM_EXTENSION = re.compile(r"localhost:2773/systemsmanager/parameters/get")

# Methods of the standard library, reqwest and the SDK builders that may sit in a chain ending in
# `.send()` without being an AWS operation.
NOT_OPERATIONS = {
    "clone", "to_owned", "to_string", "as_str", "build", "builder", "into", "iter", "unwrap",
    "await", "json", "text", "bytes", "error_for_status", "collect", "as_ref", "get", "post",
    "put", "delete", "patch", "head", "request", "take", "is_empty", "len", "item",
    "unix_timestamp", "client",
}

FLUENT = re.compile(r"\.([a-z][a-z0-9_]*)\(\)(?=\s*\.)")

# An S3 key template names the prefix it writes under: "stores/{store_id}/media/{name}.webp".
KEY_TEMPLATE = re.compile(r'"([a-z][a-z0-9_-]*)/\{[A-Za-z0-9_]*\}/')


# ------------------------------------------------------------------------------------------------
# Rust source, just enough of it
# ------------------------------------------------------------------------------------------------

CHAR_LITERAL = re.compile(r"'(?:[^'\\\n]|\\(?:[nrt0\\'\"]|x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}))'")
RAW_STRING = re.compile(r'b?r(#*)"')


def _skip_literal(text, i):
    """If a string, raw string or char literal starts at i, the index just past it; else None."""
    ch = text[i]
    if ch == '"' or (ch == "b" and text.startswith('b"', i)):
        j = i + (2 if ch == "b" else 1)
        while j < len(text):
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == '"':
                return j + 1
            j += 1
        return len(text)
    if ch in "rb" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
        raw = RAW_STRING.match(text, i)
        if raw:
            end = text.find('"' + raw.group(1), raw.end())
            return len(text) if end < 0 else end + 1 + len(raw.group(1))
    if ch == "'":
        literal = CHAR_LITERAL.match(text, i)
        if literal:
            return literal.end()
    return None


def strip_comments(text):
    """The source without its comments (doc comments included); literals are kept as they are."""
    out = []
    i = 0
    while i < len(text):
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < len(text) and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        end = _skip_literal(text, i)
        if end is not None:
            out.append(text[i:end])
            i = end
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _item_end(text, i):
    """Index just past the item starting at i: its closing brace, or its `;` when it has no body
    (or, for an attribute's `[`, its closing bracket)."""
    depth = 0
    closer = "]" if text[i] == "[" else "}"
    while i < len(text):
        end = _skip_literal(text, i)
        if end is not None:
            i = end
            continue
        ch = text[i]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
            if depth == 0 and ch == closer:
                return i + 1
        elif ch == ";" and depth == 0:
            return i + 1
        i += 1
    return len(text)


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ATTRIBUTE = re.compile(r"\s*#!?\[")
IMPL = re.compile(r"impl\b(?:\s*<[^{]*?>)?\s+(?:[^{]*?\bfor\s+)?(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)")
NAMED = re.compile(
    r"(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+|extern\s+\"C\"\s+)*"
    r"(fn|struct|enum|trait|type|const|static|mod|macro_rules!)\s*([A-Za-z_][A-Za-z0-9_]*)"
)


def items(text):
    """Top-level items of comment-free source as (name, owner, text), with inline modules opened
    and `#[cfg(test)]` items left out. An `impl` block gives its header, named after the type it
    implements, and each of its methods, named after themselves and owned by that type."""
    found = []
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        start = i
        test_only = False
        while ATTRIBUTE.match(text, i):
            attr_start = text.index("[", i)
            attr_end = _item_end(text, attr_start)
            if re.fullmatch(r"\[\s*cfg\s*\(\s*test\s*\)\s*\]", text[attr_start:attr_end]):
                test_only = True
            i = attr_end
            while i < len(text) and text[i].isspace():
                i += 1
        end = _item_end(text, i)
        body = text[i:end]
        if not test_only:
            header = re.sub(r"^(?:pub(?:\([^)]*\))?\s+)", "", body)
            impl = IMPL.match(header)
            named = NAMED.match(body)
            if impl and "{" in body:
                open_brace = body.index("{")
                found.append((impl.group(1), None, body[:open_brace]))
                for method, _, method_body in items(body[open_brace + 1:body.rindex("}")]):
                    found.append((method, impl.group(1), method_body))
            elif named and named.group(1) == "mod" and "{" in body:
                found.extend(items(body[body.index("{") + 1:body.rindex("}")]))
            elif named:
                found.append((named.group(2), None, body))
            else:
                found.append((None, None, text[start:end]))
        i = max(end, i + 1)
    return found


def rust_files(crate_dir, library):
    """The crate's source files; a library's binaries (main.rs, src/bin) are not its library."""
    src = os.path.join(crate_dir, "src")
    for root, dirs, files in os.walk(src):
        dirs.sort()
        if library and os.path.relpath(root, src).split(os.sep)[0] == "bin":
            continue
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            if library and root == src and name == "main.rs":
                continue
            yield os.path.join(root, name)


# ------------------------------------------------------------------------------------------------
# Crates and what a function reaches
# ------------------------------------------------------------------------------------------------


class Workspace:
    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "Cargo.toml"), "rb") as handle:
            manifest = tomllib.load(handle)
        self.shared = {
            name: os.path.normpath(os.path.join(root, spec["path"]))
            for name, spec in manifest["workspace"]["dependencies"].items()
            if isinstance(spec, dict) and "path" in spec
        }
        self._items = {}

    def path_dependencies(self, crate_dir):
        """The workspace crates a crate depends on (normal dependencies only)."""
        with open(os.path.join(crate_dir, "Cargo.toml"), "rb") as handle:
            manifest = tomllib.load(handle)
        found = []
        for name, spec in manifest.get("dependencies", {}).items():
            if not isinstance(spec, dict):
                continue
            if "path" in spec:
                found.append(os.path.normpath(os.path.join(crate_dir, spec["path"])))
            elif spec.get("workspace") and name in self.shared:
                found.append(self.shared[name])
        return found

    def libraries(self, crate_dir):
        """Every workspace library a crate depends on, directly or not."""
        seen, todo = [], list(self.path_dependencies(crate_dir))
        while todo:
            lib = todo.pop(0)
            if lib in seen:
                continue
            seen.append(lib)
            todo.extend(self.path_dependencies(lib))
        return seen

    def crate_items(self, crate_dir, library):
        key = (crate_dir, library)
        if key not in self._items:
            found = []
            for path in rust_files(crate_dir, library):
                with open(path, encoding="utf-8") as handle:
                    source = strip_comments(handle.read())
                rel = os.path.relpath(path, self.root)
                found.extend((name, owner, body, rel) for name, owner, body in items(source))
            self._items[key] = found
        return self._items[key]

    def reached_code(self, crate_dir):
        """(where, text) of every item the function's binary reaches: its `main.rs`, then whatever
        reached code names, in its own crate and in the libraries it depends on. A method is
        reached when its type is and its name appears in reached code."""
        main = os.path.join(crate_dir, "src", "main.rs")
        candidates = [
            (name, owner, body, rel)
            for lib in [None] + self.libraries(crate_dir)
            for name, owner, body, rel in self.crate_items(lib or crate_dir, library=lib is not None)
        ]
        code = [(rel, body) for name, owner, body, rel in candidates if rel == os.path.relpath(main, self.root)]
        pending = [c for c in candidates if c[0] and c[3] != os.path.relpath(main, self.root)]
        reached_names = set(IDENTIFIER.findall("\n".join(body for _, body in code)))
        reached_types = set()
        progress = True
        while progress:
            progress = False
            left = []
            for name, owner, body, rel in pending:
                if name in reached_names and (owner is None or owner in reached_types):
                    code.append((f"{rel} ({owner + '::' if owner else ''}{name})", body))
                    reached_names.update(IDENTIFIER.findall(body))
                    if owner is None:
                        reached_types.add(name)
                    progress = True
                else:
                    left.append((name, owner, body, rel))
            pending = left
        return code


class Calls:
    """The AWS calls of one function: {(action, target)} with where each comes from."""

    def __init__(self):
        self.actions = {}  # (action, target) -> [where]
        self.unknown = []  # (operation, where)
        self.prefixes = set()

    def add(self, action, target, where):
        self.actions.setdefault((action, target), []).append(where)


def function_calls(workspace, crate_dir):
    calls = Calls()
    code = workspace.reached_code(crate_dir)
    for where, text in code:
        for match in FLUENT.finditer(text):
            operation = match.group(1)
            rest = text[match.end() - 1:]
            if operation in SDK_ACTIONS:
                # An AWS operation's builder is sent, in this chain or later in the same item.
                if ".send()" not in rest:
                    continue
                action, target = SDK_ACTIONS[operation]
                if operation.startswith("delete_object") and VERSIONED_DELETE.search(text):
                    action = "s3:DeleteObjectVersion"
                calls.add(action, target, where)
            elif operation not in NOT_OPERATIONS and ".send()" in rest.split(";", 1)[0]:
                calls.unknown.append((operation, where))
        if SSM_EXTENSION.search(text):
            calls.add("ssm:GetParameter", "secret", where)
    if any(target in ("objects", "bucket") for _, target in calls.actions):
        for _, text in code:
            calls.prefixes.update(f"{p}/" for p in KEY_TEMPLATE.findall(text))
    return calls
