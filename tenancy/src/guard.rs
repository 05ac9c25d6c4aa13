//! The store guard: whether a statement reads and writes only the rows of the store bound as
//! `?1`.
//!
//! A small tokenizer (strings, quoted names and comments skipped) and a reader of statement
//! structure, not a full SQL parser: it accepts the shapes the Workers use and refuses what it
//! cannot show to be scoped, with the reason.
//!
//! - Every table a `SELECT` reads (in the statement, a subquery, a `WITH` or a join) is filtered
//!   on `<table>.store_id = ?1` by a top-level `AND` of its `WHERE`, the `ON` of its join, or an
//!   equality with the `store_id` of a table that is; a top-level `OR` scopes nothing.
//! - `UPDATE` and `DELETE` filter on `store_id = ?1` the same way, and no `SET` writes
//!   `store_id`.
//! - `INSERT` names `store_id` among its columns and writes `?1` there (or, from a `SELECT`, a
//!   scoped table's `store_id`); `ON CONFLICT ... DO UPDATE` names `store_id` in its target.
//!   `REPLACE` is refused: it deletes the row it conflicts with, whatever its store.
//! - Parameters are numbered (`?1` is parameter 1, `?10` another one); unnumbered and named
//!   parameters, and more than one statement, are refused.
//!
//! It relies on every table of a store shard having a `store_id` column (so an unqualified
//! `store_id` in a query that reads one table is that table's), and refuses SQLite's and D1's
//! own tables (`sqlite_*`, `d1_*`, `_cf_*`), which have none. A query that reads no table
//! (`SELECT ?1, ?2 WHERE EXISTS (...)`, `json_each(?2)`) has nothing to scope.

/// Why `sql` could reach another store's rows, or `Ok` when it is scoped to the store bound as
/// `?1`.
pub fn check(sql: &str) -> Result<(), String> {
    let nodes = tree(tokenize(sql)?)?;
    statement(&nodes, &Ctx::default())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A keyword or a name, lower-cased (SQLite names are case-insensitive); `quoted` names are
    /// never keywords.
    Word { text: String, quoted: bool },
    /// `?N`.
    Param(u32),
    /// A string, blob or number.
    Literal,
    /// Punctuation and operators.
    Sym(&'static str),
}

const SYMBOLS: [&str; 26] = [
    "->>", "==", "!=", "<>", "<=", ">=", "<<", ">>", "||", "->", "(", ")", "<", ">", "=", ",", ".", "+", "-",
    "*", "/", "%", "&", "|", "~", "!",
];

fn tokenize(sql: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = sql.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            // SQLite's whitespace, and its ASCII-only case folding below.
            ' ' | '\t' | '\n' | '\r' | '\x0c' => i += 1,
            '-' if at(i + 1) == '-' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            '\'' => {
                i = quoted(&chars, i, '\'')?;
                tokens.push(Token::Literal);
            }
            'x' | 'X' if at(i + 1) == '\'' => {
                i = quoted(&chars, i + 1, '\'')?;
                tokens.push(Token::Literal);
            }
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let end = quoted(&chars, i, close)?;
                let text: String = chars[i + 1..end - 1].iter().collect();
                let doubled = format!("{close}{close}");
                tokens.push(Token::Word {
                    text: text.replace(&doubled, &close.to_string()).to_ascii_lowercase(),
                    quoted: true,
                });
                i = end;
            }
            '?' => {
                let start = i + 1;
                i = start;
                while at(i).is_ascii_digit() {
                    i += 1;
                }
                if i == start {
                    return Err(
                        "an unnumbered `?` parameter: number every parameter (`?2`, `?3`...)".to_owned()
                    );
                }
                let digits: String = chars[start..i].iter().collect();
                match digits.parse::<u32>() {
                    Ok(n) if n > 0 => tokens.push(Token::Param(n)),
                    _ => return Err(format!("the parameter `?{digits}`")),
                }
            }
            ':' | '@' | '$' => {
                return Err("a named parameter (`:x`, `@x`, `$x`): use numbered ones".to_owned())
            }
            ';' => return Err("more than one statement (`;`)".to_owned()),
            _ if c.is_ascii_digit() || (c == '.' && at(i + 1).is_ascii_digit()) => {
                i += 1;
                while at(i).is_ascii_alphanumeric()
                    || at(i) == '.'
                    || (matches!(at(i), '+' | '-') && matches!(at(i - 1), 'e' | 'E'))
                {
                    i += 1;
                }
                tokens.push(Token::Literal);
            }
            _ if c.is_ascii_alphabetic() || c == '_' || !c.is_ascii() => {
                let start = i;
                while at(i).is_ascii_alphanumeric()
                    || at(i) == '_'
                    || at(i) == '$'
                    || (!at(i).is_ascii() && at(i) != '\0')
                {
                    i += 1;
                }
                tokens.push(Token::Word {
                    text: chars[start..i].iter().collect::<String>().to_ascii_lowercase(),
                    quoted: false,
                });
            }
            _ => {
                let symbol = SYMBOLS
                    .iter()
                    .find(|s| s.chars().enumerate().all(|(k, sc)| at(i + k) == sc))
                    .ok_or_else(|| format!("an unexpected character {c:?}"))?;
                i += symbol.chars().count();
                tokens.push(Token::Sym(symbol));
            }
        }
    }
    Ok(tokens)
}

/// The index after a quoted run opened at `start` by `chars[start]` and closed by `close`
/// (doubled inside it).
fn quoted(chars: &[char], start: usize, close: char) -> Result<usize, String> {
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err("an unterminated string or quoted name".to_owned()),
            Some(&c) if c == close => {
                if chars.get(i + 1) == Some(&close) {
                    i += 2;
                } else {
                    return Ok(i + 1);
                }
            }
            Some(_) => i += 1,
        }
    }
}

/// A token, or a parenthesised run of nodes.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Tok(Token),
    Group(Vec<Node>),
}

fn tree(tokens: Vec<Token>) -> Result<Vec<Node>, String> {
    let mut stack: Vec<Vec<Node>> = vec![Vec::new()];
    for token in tokens {
        match token {
            Token::Sym("(") => stack.push(Vec::new()),
            Token::Sym(")") => {
                let group = stack.pop().filter(|_| !stack.is_empty()).ok_or("unbalanced parentheses")?;
                stack.last_mut().ok_or("unbalanced parentheses")?.push(Node::Group(group));
            }
            other => stack.last_mut().ok_or("unbalanced parentheses")?.push(Node::Tok(other)),
        }
    }
    match stack.pop() {
        Some(nodes) if stack.is_empty() => Ok(nodes),
        _ => Err("unbalanced parentheses".to_owned()),
    }
}

impl Node {
    /// Whether this is the (unquoted) keyword `keyword`.
    fn kw(&self, keyword: &str) -> bool {
        matches!(self, Node::Tok(Token::Word { text, quoted: false }) if text == keyword)
    }

    fn sym(&self, symbol: &str) -> bool {
        matches!(self, Node::Tok(Token::Sym(s)) if *s == symbol)
    }

    /// The name this node spells, if it is a word.
    fn word(&self) -> Option<&str> {
        match self {
            Node::Tok(Token::Word { text, .. }) => Some(text),
            _ => None,
        }
    }

    fn group(&self) -> Option<&[Node]> {
        match self {
            Node::Group(nodes) => Some(nodes),
            Node::Tok(_) => None,
        }
    }

    fn is_param_one(&self) -> bool {
        matches!(self, Node::Tok(Token::Param(1)))
    }
}

fn kw_at(nodes: &[Node], i: usize, keyword: &str) -> bool {
    nodes.get(i).is_some_and(|n| n.kw(keyword))
}

/// Whether a parenthesised group is a query rather than an expression.
fn is_query(nodes: &[Node]) -> bool {
    nodes.first().is_some_and(|n| n.kw("select") || n.kw("values") || n.kw("with"))
}

/// Words that end a table reference rather than name it (`FROM products p JOIN ...`).
const NOT_ALIASES: &str =
    "on using join natural left right full inner cross outer where group having window \
     order limit indexed not union intersect except returning set from values select default do";

/// Names visible to a query: the `WITH` tables, and the scoped tables of the queries around it
/// (a correlated subquery may join on their `store_id`).
#[derive(Debug, Clone, Default)]
struct Ctx {
    ctes: Vec<String>,
    outer: Vec<String>,
}

impl Ctx {
    /// The context of the subqueries of a query whose tables are `shadowing` and of which
    /// `scoped` are scoped.
    fn inner(&self, shadowing: &[String], scoped: &[String]) -> Ctx {
        let mut outer: Vec<String> = self.outer.iter().filter(|n| !shadowing.contains(n)).cloned().collect();
        outer.extend(scoped.iter().cloned());
        Ctx { ctes: self.ctes.clone(), outer }
    }
}

fn statement(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    let (ctx, rest) = with_clause(nodes, ctx)?;
    match rest.first() {
        Some(n) if n.kw("select") || n.kw("values") => select(rest, &ctx).map(|_| ()),
        Some(n) if n.kw("insert") => insert(rest, &ctx),
        Some(n) if n.kw("replace") => Err(REPLACE.to_owned()),
        Some(n) if n.kw("update") => update(rest, &ctx),
        Some(n) if n.kw("delete") => delete(rest, &ctx),
        _ => Err("only SELECT, INSERT, UPDATE and DELETE run on a store".to_owned()),
    }
}

const REPLACE: &str =
    "REPLACE deletes the row it conflicts with, whatever its store: use INSERT ... ON CONFLICT";

/// Checks a leading `WITH` and returns the context with its tables, and the statement after it.
fn with_clause<'a>(nodes: &'a [Node], ctx: &Ctx) -> Result<(Ctx, &'a [Node]), String> {
    if !kw_at(nodes, 0, "with") {
        return Ok((ctx.clone(), nodes));
    }
    let mut i = if kw_at(nodes, 1, "recursive") { 2 } else { 1 };
    let mut inner = ctx.clone();
    let mut bodies = Vec::new();
    loop {
        let name = nodes.get(i).and_then(Node::word).ok_or("a WITH table without a name")?;
        inner.ctes.push(name.to_owned());
        i += 1;
        if nodes.get(i).and_then(Node::group).is_some() {
            i += 1;
        }
        if !kw_at(nodes, i, "as") {
            return Err("a WITH table without AS".to_owned());
        }
        i += 1;
        if kw_at(nodes, i, "not") {
            i += 1;
        }
        if kw_at(nodes, i, "materialized") {
            i += 1;
        }
        let body = nodes
            .get(i)
            .and_then(Node::group)
            .filter(|g| is_query(g))
            .ok_or("a WITH table that is not a query")?;
        bodies.push(body);
        i += 1;
        if nodes.get(i).is_some_and(|n| n.sym(",")) {
            i += 1;
        } else {
            break;
        }
    }
    // Every body sees every name, so a recursive table reading itself is known.
    for body in bodies {
        select(body, &inner)?;
    }
    Ok((inner, &nodes[i..]))
}

/// One `SELECT` (or `VALUES` row) of a query, as an `INSERT ... SELECT` needs it.
struct Core<'a> {
    columns: Vec<&'a [Node]>,
    /// The scoped tables the columns may take `store_id` from.
    scoped: Vec<String>,
    /// The query's one table, which an unqualified `store_id` names.
    sole: Option<String>,
}

/// Checks a query (`[WITH] SELECT ... [UNION ...]` or `VALUES`) and returns its cores.
fn select<'a>(nodes: &'a [Node], ctx: &Ctx) -> Result<Vec<Core<'a>>, String> {
    let (ctx, rest) = with_clause(nodes, ctx)?;
    let mut cores = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i <= rest.len() {
        let compound = rest.get(i).is_some_and(|n| n.kw("union") || n.kw("intersect") || n.kw("except"));
        if i == rest.len() || compound {
            let part = &rest[start..i];
            match part.first() {
                Some(n) if n.kw("select") => cores.push(core(part, &ctx)?),
                Some(n) if n.kw("values") => cores.extend(values(part, &ctx)?),
                _ => return Err("a query that is not a SELECT".to_owned()),
            }
            i += if kw_at(rest, i + 1, "all") { 2 } else { 1 };
            start = i;
        } else {
            i += 1;
        }
    }
    Ok(cores)
}

/// `VALUES (..), (..)`: reads no table; its subqueries are checked.
fn values<'a>(nodes: &'a [Node], ctx: &Ctx) -> Result<Vec<Core<'a>>, String> {
    let mut rows = Vec::new();
    for row in split(&nodes[1..], ",") {
        match row {
            [Node::Group(items)] => {
                scan(items, ctx)?;
                rows.push(Core { columns: split(items, ","), scoped: Vec::new(), sole: None });
            }
            _ => return Err("a VALUES row that is not parenthesised".to_owned()),
        }
    }
    Ok(rows)
}

/// Splits at top-level `separator` symbols.
fn split<'a>(nodes: &'a [Node], separator: &str) -> Vec<&'a [Node]> {
    if nodes.is_empty() {
        return Vec::new();
    }
    nodes.split(|n| n.sym(separator)).collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Table,
    Derived,
    With,
    Function,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Join {
    /// The first table, a comma or an inner join: its `ON` filters the whole result.
    Inner,
    /// A left join: its `ON` only limits which rows of this table join.
    Left,
}

struct Item<'a> {
    /// The alias, or the table's name.
    name: String,
    table: String,
    source: Source,
    join: Join,
    on: Option<&'a [Node]>,
}

/// A condition on `store_id` in a conjunction.
#[derive(Debug, PartialEq)]
enum Cond {
    /// `[q.]store_id = ?1`.
    Filter(Option<String>),
    /// `a.store_id = b.store_id`.
    Link(String, String),
}

/// `store_id` or `q.store_id`: `Some(qualifier)`.
fn store_column(nodes: &[Node]) -> Option<Option<String>> {
    match nodes {
        [c] if c.word() == Some("store_id") => Some(None),
        [q, dot, c] if dot.sym(".") && c.word() == Some("store_id") => q.word().map(|q| Some(q.to_owned())),
        _ => None,
    }
}

fn cond(conjunct: &[Node]) -> Option<Cond> {
    let eq = conjunct.iter().position(|n| n.sym("=") || n.sym("=="))?;
    let (left, right) = (&conjunct[..eq], &conjunct[eq + 1..]);
    let param = |side: &[Node]| matches!(side, [p] if p.is_param_one());
    match (store_column(left), store_column(right)) {
        (Some(q), None) if param(right) => Some(Cond::Filter(q)),
        (None, Some(q)) if param(left) => Some(Cond::Filter(q)),
        (Some(Some(a)), Some(Some(b))) => Some(Cond::Link(a, b)),
        _ => None,
    }
}

/// The top-level conjuncts of a condition, looking into parenthesised conjunctions; `None` when
/// it has a top-level `OR`, which makes none of them hold for every row.
fn conjuncts(nodes: &[Node]) -> Option<Vec<&[Node]>> {
    let mut parts = Vec::new();
    let (mut start, mut case_depth, mut between) = (0, 0usize, false);
    for (i, node) in nodes.iter().enumerate() {
        if node.kw("case") {
            case_depth += 1;
        } else if node.kw("end") {
            case_depth = case_depth.saturating_sub(1);
        } else if case_depth > 0 {
            continue;
        } else if node.kw("between") {
            between = true;
        } else if node.kw("and") {
            // The `AND` of `x BETWEEN a AND b` joins its bounds, not two conditions.
            if between {
                between = false;
            } else {
                parts.push(&nodes[start..i]);
                start = i + 1;
            }
        } else if node.kw("or") {
            return None;
        }
    }
    parts.push(&nodes[start..]);
    let mut flat = Vec::new();
    for part in parts {
        match part {
            [Node::Group(inner)] if !is_query(inner) => flat.extend(conjuncts(inner).unwrap_or_default()),
            _ => flat.push(part),
        }
    }
    Some(flat)
}

fn conds(nodes: Option<&[Node]>) -> (Vec<Cond>, bool) {
    match nodes.map(conjuncts) {
        None => (Vec::new(), false),
        Some(None) => (Vec::new(), true),
        Some(Some(parts)) => (parts.into_iter().filter_map(cond).collect(), false),
    }
}

/// Checks every subquery in an expression.
fn scan(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    for node in nodes {
        if let Node::Group(inner) = node {
            if is_query(inner) {
                select(inner, ctx)?;
            } else {
                scan(inner, ctx)?;
            }
        }
    }
    Ok(())
}

fn not_store_table(table: &str) -> Result<(), String> {
    if ["sqlite_", "d1_", "_cf_"].iter().any(|prefix| table.starts_with(prefix)) {
        Err(format!("`{table}` is not a store table"))
    } else {
        Ok(())
    }
}

/// A table name, maybe schema-qualified: the name and the index after it.
fn table_name(nodes: &[Node], i: usize) -> Result<(String, usize), String> {
    let name = nodes.get(i).and_then(Node::word).ok_or("a missing table name")?;
    if nodes.get(i + 1).is_some_and(|n| n.sym(".")) {
        let table = nodes.get(i + 2).and_then(Node::word).ok_or("a missing table name")?;
        return Ok((table.to_owned(), i + 3));
    }
    Ok((name.to_owned(), i + 1))
}

/// An alias after a table (`AS x` or `x`): the alias and the index after it.
fn alias(nodes: &[Node], i: usize) -> Result<(Option<String>, usize), String> {
    if kw_at(nodes, i, "as") {
        let name = nodes.get(i + 1).and_then(Node::word).ok_or("AS without a name")?;
        return Ok((Some(name.to_owned()), i + 2));
    }
    match nodes.get(i) {
        Some(Node::Tok(Token::Word { text, quoted }))
            if *quoted || !NOT_ALIASES.split_whitespace().any(|w| w == text) =>
        {
            Ok((Some(text.clone()), i + 1))
        }
        _ => Ok((None, i)),
    }
}

/// Skips `INDEXED BY x` or `NOT INDEXED`.
fn indexed(nodes: &[Node], i: usize) -> usize {
    if kw_at(nodes, i, "indexed") && kw_at(nodes, i + 1, "by") {
        i + 3
    } else if kw_at(nodes, i, "not") && kw_at(nodes, i + 1, "indexed") {
        i + 2
    } else {
        i
    }
}

fn is_join_word(node: &Node) -> bool {
    ["join", "natural", "left", "right", "full", "inner", "cross"].iter().any(|k| node.kw(k))
}

/// The tables of a `FROM` clause; derived tables and function arguments are checked on the way.
fn from_items<'a>(nodes: &'a [Node], ctx: &Ctx) -> Result<Vec<Item<'a>>, String> {
    let mut items = Vec::new();
    let mut join = Join::Inner;
    let mut i = 0;
    loop {
        let (table, source, next) = match nodes.get(i) {
            Some(Node::Group(inner)) if is_query(inner) => {
                select(inner, ctx)?;
                (String::new(), Source::Derived, i + 1)
            }
            Some(Node::Group(_)) => return Err("a parenthesised join: write the joins out".to_owned()),
            Some(Node::Tok(Token::Word { .. })) => {
                let qualified = nodes.get(i + 1).is_some_and(|n| n.sym("."));
                let (table, next) = table_name(nodes, i)?;
                if let Some(args) = nodes.get(next).and_then(Node::group) {
                    if qualified || !["json_each", "json_tree"].contains(&table.as_str()) {
                        return Err(format!("the table-valued function `{table}`"));
                    }
                    scan(args, ctx)?;
                    (table, Source::Function, next + 1)
                } else if !qualified && ctx.ctes.contains(&table) {
                    (table, Source::With, next)
                } else {
                    not_store_table(&table)?;
                    (table, Source::Table, next)
                }
            }
            _ => return Err("a FROM clause without a table".to_owned()),
        };
        let (name, next) = alias(nodes, next)?;
        i = indexed(nodes, next);
        let mut on = None;
        if kw_at(nodes, i, "on") {
            let end = (i + 1..nodes.len())
                .find(|&k| nodes[k].sym(",") || is_join_word(&nodes[k]))
                .unwrap_or(nodes.len());
            on = Some(&nodes[i + 1..end]);
            i = end;
        } else if kw_at(nodes, i, "using") {
            i += 2;
        }
        let name = name.unwrap_or_else(|| table.clone());
        // An unnamed derived table has no name to clash with.
        if !name.is_empty() && items.iter().any(|item: &Item<'_>| item.name == name) {
            return Err(format!("two tables named `{name}`"));
        }
        items.push(Item { name, table, source, join, on });
        if i >= nodes.len() {
            return Ok(items);
        }
        if nodes[i].sym(",") {
            join = Join::Inner;
            i += 1;
            continue;
        }
        let start = i;
        while i < nodes.len() && !nodes[i].kw("join") {
            i += 1;
        }
        let words = &nodes[start..i];
        if i == nodes.len()
            || words.iter().any(|n| {
                !["natural", "left", "inner", "cross", "outer", "right", "full"].iter().any(|k| n.kw(k))
            })
        {
            return Err("an unexpected word in a FROM clause".to_owned());
        }
        if words.iter().any(|n| n.kw("right") || n.kw("full")) {
            return Err("a RIGHT or FULL join keeps rows of a table no filter limits: use JOIN or LEFT JOIN"
                .to_owned());
        }
        join = if words.iter().any(|n| n.kw("left")) { Join::Left } else { Join::Inner };
        i += 1;
    }
}

/// The clauses of a `SELECT` core, at its top level.
#[derive(Default)]
struct Clauses<'a> {
    columns: &'a [Node],
    from: Option<&'a [Node]>,
    filter: Option<&'a [Node]>,
    rest: Vec<&'a [Node]>,
}

fn clauses(nodes: &[Node]) -> Result<Clauses<'_>, String> {
    const KEYWORDS: [&str; 7] = ["from", "where", "group", "having", "window", "order", "limit"];
    let starts_clause = |k: usize| {
        let node = &nodes[k];
        // `a IS [NOT] DISTINCT FROM b` is a comparison.
        let distinct_from = node.kw("from") && k >= 2 && nodes[k - 1].kw("distinct");
        KEYWORDS.iter().any(|kw| node.kw(kw)) && !distinct_from
    };
    let mut bounds: Vec<usize> = (1..nodes.len()).filter(|&k| starts_clause(k)).collect();
    bounds.push(nodes.len());
    let mut first = 1;
    if kw_at(nodes, 1, "distinct") || kw_at(nodes, 1, "all") {
        first = 2;
    }
    let mut out = Clauses { columns: &nodes[first.min(bounds[0])..bounds[0]], ..Clauses::default() };
    let mut seen = Vec::new();
    for pair in bounds.windows(2) {
        let keyword = nodes[pair[0]].word().unwrap_or_default();
        if seen.contains(&keyword) {
            return Err(format!("a second {} clause", keyword.to_ascii_uppercase()));
        }
        seen.push(keyword);
        let body = &nodes[pair[0] + 1..pair[1]];
        match keyword {
            "from" => out.from = Some(body),
            "where" => out.filter = Some(body),
            _ => out.rest.push(body),
        }
    }
    Ok(out)
}

/// Checks one `SELECT ...` core: every table it reads is scoped, and so is every subquery.
fn core<'a>(nodes: &'a [Node], ctx: &Ctx) -> Result<Core<'a>, String> {
    let parts = clauses(nodes)?;
    let items = match parts.from {
        Some(from) => from_items(from, ctx)?,
        None => Vec::new(),
    };
    let (mut conds_all, or) = conds(parts.filter);
    // An inner join's ON filters the result as the WHERE does; a left join's limits its table.
    let mut directed: Vec<(String, String)> = Vec::new();
    for item in &items {
        match item.join {
            Join::Inner => conds_all.extend(conds(item.on).0),
            Join::Left => {
                for c in conds(item.on).0 {
                    match c {
                        Cond::Filter(Some(q)) if q == item.name => conds_all.push(Cond::Filter(Some(q))),
                        Cond::Link(a, b) if a == item.name => directed.push((b, a)),
                        Cond::Link(a, b) if b == item.name => directed.push((a, b)),
                        _ => {}
                    }
                }
            }
        }
    }
    let tables: Vec<&Item<'_>> = items.iter().filter(|item| item.source == Source::Table).collect();
    let is_item = |name: &str| items.iter().any(|item| item.name == name);
    let mut scoped: Vec<String> = Vec::new();
    for c in &conds_all {
        match c {
            Cond::Filter(Some(q)) if is_item(q) => scoped.push(q.clone()),
            Cond::Filter(None) if tables.len() == 1 => scoped.push(tables[0].name.clone()),
            Cond::Link(a, b) => {
                directed.push((a.clone(), b.clone()));
                directed.push((b.clone(), a.clone()));
            }
            _ => {}
        }
    }
    // Only a table's own `store_id` (here or around this query) vouches for another's: a
    // subquery's `store_id` column may hold anything.
    let trusted = |name: &str, scoped: &[String]| {
        if is_item(name) {
            tables.iter().any(|t| t.name == name) && scoped.iter().any(|s| s == name)
        } else {
            ctx.outer.iter().any(|o| o == name)
        }
    };
    loop {
        let before = scoped.len();
        for (from, to) in &directed {
            if is_item(to) && !scoped.contains(to) && trusted(from, &scoped) {
                scoped.push(to.clone());
            }
        }
        if scoped.len() == before {
            break;
        }
    }
    for table in &tables {
        if !scoped.contains(&table.name) {
            let reference = if table.name == table.table {
                format!("`{}`", table.table)
            } else {
                format!("`{}` (as `{}`)", table.table, table.name)
            };
            return Err(if or {
                format!("{reference} is filtered on its store only under a top-level OR")
            } else {
                format!("{reference} is not filtered on `{}.store_id = ?1`", table.name)
            });
        }
    }
    let names: Vec<String> = items.iter().map(|item| item.name.clone()).collect();
    let scoped_tables: Vec<String> =
        scoped.into_iter().filter(|s| tables.iter().any(|t| t.name == *s)).collect();
    let inner = ctx.inner(&names, &scoped_tables);
    scan(parts.columns, &inner)?;
    if let Some(filter) = parts.filter {
        scan(filter, &inner)?;
    }
    for item in &items {
        if let Some(on) = item.on {
            scan(on, &inner)?;
        }
    }
    for rest in &parts.rest {
        scan(rest, &inner)?;
    }
    Ok(Core {
        columns: split(parts.columns, ","),
        sole: (tables.len() == 1).then(|| tables[0].name.clone()),
        scoped: scoped_tables,
    })
}

/// Refuses a `SET` that writes `store_id` (moving rows to another store) and checks its
/// subqueries.
fn assignments(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    for assignment in split(nodes, ",") {
        let eq = assignment.iter().position(|n| n.sym("=")).ok_or("a SET without `=`")?;
        let target = &assignment[..eq];
        let names: Vec<&str> = match target {
            [Node::Group(columns)] => columns.iter().filter_map(Node::word).collect(),
            _ => target.iter().filter_map(Node::word).collect(),
        };
        if names.contains(&"store_id") {
            return Err("a SET of `store_id`: rows cannot move to another store".to_owned());
        }
        scan(&assignment[eq + 1..], ctx)?;
    }
    Ok(())
}

/// Whether a conjunction filters the single table `names` (its name and alias) on `?1`.
fn filters_target(filter: Option<&[Node]>, names: &[String]) -> Result<(), String> {
    let (found, or) = conds(filter);
    let scoped = found.iter().any(|c| match c {
        Cond::Filter(None) => true,
        Cond::Filter(Some(q)) => names.contains(q),
        Cond::Link(..) => false,
    });
    match (scoped, or, filter) {
        (true, _, _) => Ok(()),
        (false, true, _) => Err("the WHERE clause has a top-level OR around its store filter".to_owned()),
        (false, false, None) => Err("no WHERE clause".to_owned()),
        (false, false, Some(_)) => Err("the WHERE clause has no top-level `store_id = ?1`".to_owned()),
    }
}

/// The index of the first top-level keyword of `keywords` at or after `from`.
fn find_kw(nodes: &[Node], from: usize, keywords: &[&str]) -> usize {
    (from..nodes.len()).find(|&k| keywords.iter().any(|kw| nodes[k].kw(kw))).unwrap_or(nodes.len())
}

fn update(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    let mut i = 1;
    if kw_at(nodes, 1, "or") {
        if kw_at(nodes, 2, "replace") {
            return Err(REPLACE.to_owned());
        }
        i = 3;
    }
    let (table, next) = table_name(nodes, i)?;
    not_store_table(&table)?;
    let (name, next) = alias(nodes, next)?;
    let i = indexed(nodes, next);
    if !kw_at(nodes, i, "set") {
        return Err("an UPDATE without SET".to_owned());
    }
    let set_end = find_kw(nodes, i + 1, &["from", "where", "returning", "order", "limit"]);
    if kw_at(nodes, set_end, "from") {
        return Err("UPDATE ... FROM: read other tables in a subquery".to_owned());
    }
    let names: Vec<String> = [Some(table), name].into_iter().flatten().collect();
    let inner = ctx.inner(&names, &names);
    assignments(&nodes[i + 1..set_end], &inner)?;
    let (filter, rest) = where_and_rest(nodes, set_end);
    filters_target(filter, &names)?;
    scan(filter.unwrap_or_default(), &inner)?;
    scan(rest, &inner)
}

/// The `WHERE` condition starting at `i`, if any, and what follows it (`RETURNING`...).
fn where_and_rest(nodes: &[Node], i: usize) -> (Option<&[Node]>, &[Node]) {
    if kw_at(nodes, i, "where") {
        let end = find_kw(nodes, i + 1, &["returning", "order", "limit"]);
        (Some(&nodes[i + 1..end]), &nodes[end..])
    } else {
        (None, &nodes[i..])
    }
}

fn delete(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    if !kw_at(nodes, 1, "from") {
        return Err("a DELETE without FROM".to_owned());
    }
    let (table, next) = table_name(nodes, 2)?;
    not_store_table(&table)?;
    let (name, next) = alias(nodes, next)?;
    let i = indexed(nodes, next);
    let names: Vec<String> = [Some(table), name].into_iter().flatten().collect();
    let (filter, rest) = where_and_rest(nodes, i);
    if filter.is_none() && !rest.is_empty() && !rest[0].kw("returning") {
        return Err("an unexpected word after DELETE FROM".to_owned());
    }
    filters_target(filter, &names)?;
    let inner = ctx.inner(&names, &names);
    scan(filter.unwrap_or_default(), &inner)?;
    scan(rest, &inner)
}

fn insert(nodes: &[Node], ctx: &Ctx) -> Result<(), String> {
    let mut i = 1;
    if kw_at(nodes, 1, "or") {
        if kw_at(nodes, 2, "replace") {
            return Err(REPLACE.to_owned());
        }
        i = 3;
    }
    if !kw_at(nodes, i, "into") {
        return Err("an INSERT without INTO".to_owned());
    }
    let (table, next) = table_name(nodes, i + 1)?;
    not_store_table(&table)?;
    let (name, mut i) = if kw_at(nodes, next, "as") { alias(nodes, next)? } else { (None, next) };
    let columns =
        nodes.get(i).and_then(Node::group).ok_or("an INSERT must name its columns, `store_id` among them")?;
    let columns = split(columns, ",");
    let position = columns
        .iter()
        .position(|c| matches!(c, [n] if n.word() == Some("store_id")))
        .ok_or("an INSERT that does not write `store_id`")?;
    i += 1;
    // The rows end where an upsert clause or RETURNING starts.
    let end = (i..nodes.len())
        .find(|&k| (nodes[k].kw("on") && kw_at(nodes, k + 1, "conflict")) || nodes[k].kw("returning"))
        .unwrap_or(nodes.len());
    let rows = &nodes[i..end];
    let store_value = |core: &Core<'_>| match core.columns.get(position) {
        Some(column) => {
            let column = strip_alias(column);
            matches!(column, [p] if p.is_param_one())
                || match store_column(column) {
                    Some(None) => core.sole.as_ref().is_some_and(|t| core.scoped.contains(t)),
                    Some(Some(q)) => core.scoped.contains(&q),
                    None => false,
                }
        }
        None => false,
    };
    match rows.first() {
        Some(n) if n.kw("default") => return Err("INSERT ... DEFAULT VALUES writes no `store_id`".to_owned()),
        Some(n) if n.kw("values") || n.kw("select") || n.kw("with") => {
            for core in select(rows, ctx)? {
                if !store_value(&core) {
                    return Err("an INSERT that writes `store_id` from something other than `?1`".to_owned());
                }
            }
        }
        _ => return Err("an INSERT without VALUES or SELECT".to_owned()),
    }
    let names: Vec<String> = [Some(table), name, Some("excluded".to_owned())].into_iter().flatten().collect();
    let inner = ctx.inner(&names, &names);
    let mut i = end;
    while kw_at(nodes, i, "on") {
        let target = nodes.get(i + 2).and_then(Node::group);
        let mut k = i + 2 + usize::from(target.is_some());
        if kw_at(nodes, k, "where") {
            let end = find_kw(nodes, k + 1, &["do"]);
            scan(&nodes[k + 1..end], &inner)?;
            k = end;
        }
        if !kw_at(nodes, k, "do") {
            return Err("ON CONFLICT without DO".to_owned());
        }
        let end = (k + 1..nodes.len())
            .find(|&e| (nodes[e].kw("on") && kw_at(nodes, e + 1, "conflict")) || nodes[e].kw("returning"))
            .unwrap_or(nodes.len());
        if kw_at(nodes, k + 1, "update") {
            let keyed = target.is_some_and(|t| {
                split(t, ",").iter().any(|c| c.first().and_then(Node::word) == Some("store_id"))
            });
            if !keyed {
                return Err("ON CONFLICT ... DO UPDATE whose target lacks `store_id` could update another store's row".to_owned());
            }
            if !kw_at(nodes, k + 2, "set") {
                return Err("DO UPDATE without SET".to_owned());
            }
            let set_end = find_kw(nodes, k + 3, &["where"]).min(end);
            assignments(&nodes[k + 3..set_end], &inner)?;
            scan(&nodes[set_end..end], &inner)?;
        } else if !kw_at(nodes, k + 1, "nothing") || end != k + 2 {
            return Err("ON CONFLICT must DO NOTHING or DO UPDATE SET".to_owned());
        }
        i = end;
    }
    if i < nodes.len() && !nodes[i].kw("returning") {
        return Err("an unexpected word after INSERT's rows".to_owned());
    }
    scan(&nodes[i..], &inner)
}

/// A result column without its alias (`x AS y`, `x y`).
fn strip_alias(column: &[Node]) -> &[Node] {
    match column {
        [rest @ .., as_, name] if as_.kw("as") && name.word().is_some() => rest,
        [rest @ .., name] if rest.len() == 1 && name.word().is_some() && !rest[0].sym(".") => rest,
        _ => column,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Statements the edge and the storefront run through `StoreDb` today, one of each shape
    /// (`format!` arguments filled in). All of them pass; `shards` also prepares each on the
    /// store schema, so none is a shape SQLite would not run.
    pub(crate) const WORKER_STATEMENTS: &[&str] = &[
        // edge/src/supply.rs
        "SELECT id, source, source_product_id, price_minor, compare_at_minor, cost_minor, currency, status, supplier_available FROM products WHERE store_id = ?1 AND source_product_id IN (?2, ?3)",
        // edge/src/supply.rs
        "UPDATE products SET cost_minor = ?3, price_minor = ?4, compare_at_minor = ?5, status = ?6, supplier_available = ?7, supplier_checked_at = ?8, updated_at = CASE WHEN ?9 THEN ?8 ELSE updated_at END WHERE store_id = ?1 AND id = ?2",
        // edge/src/supply.rs
        "INSERT INTO product_changes (id, store_id, product_id, sync_id, field, old_value, new_value, reason, created_at) VALUES (?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (store_id, product_id, sync_id, field) DO NOTHING",
        // edge/src/content.rs
        "SELECT id, slug, title, excerpt, status, source, published_at, updated_at FROM posts WHERE store_id = ?1 ORDER BY COALESCE(published_at, created_at) DESC LIMIT 500",
        // edge/src/collections.rs
        "SELECT c.id, c.slug, c.title, c.sort, c.featured, c.updated_at, (SELECT COUNT(*) FROM collection_products m WHERE m.store_id = ?1 AND m.collection_id = c.id) AS products FROM collections c WHERE c.store_id = ?1 ORDER BY c.title",
        // edge/src/watchlist.rs
        "INSERT INTO watchlist (store_id, id, source, source_product_id, title, product_url, image_url, cost_minor, suggested_price_minor, currency, research_score, ai_score, reasoning, research_run_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) ON CONFLICT (store_id, source, source_product_id) DO UPDATE SET title = excluded.title, product_url = excluded.product_url, image_url = excluded.image_url, cost_minor = excluded.cost_minor, suggested_price_minor = excluded.suggested_price_minor, research_score = excluded.research_score, ai_score = excluded.ai_score, reasoning = excluded.reasoning, research_run_id = excluded.research_run_id, updated_at = excluded.updated_at WHERE watchlist.dismissed_at IS NULL",
        // edge/src/products.rs
        "SELECT id, slug, title, status, price_minor, compare_at_minor, cost_minor, currency, source, source_product_id, research_run_id, score, created_at FROM products WHERE store_id = ?1 AND (?2 = '' OR (created_at, id) < (SELECT created_at, id FROM products WHERE store_id = ?1 AND id = ?2)) AND (?4 = '' OR status = ?4) AND (?5 = '' OR title LIKE ?5 ESCAPE '\\') ORDER BY created_at DESC, id DESC LIMIT ?3",
        // edge/src/contacts.rs
        "INSERT INTO contacts (id, store_id, email, status, source, unsubscribe_hash, subscribed_at, unsubscribed_at, created_at) VALUES (?2, ?1, ?3, 'unsubscribed', 'checkout', ?4, ?5, ?5, ?5) ON CONFLICT (store_id, email) DO UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.unsubscribed_at WHERE contacts.status = 'subscribed'",
        // edge/src/email_flows.rs
        "SELECT recipient FROM email_sends WHERE store_id = ?1 AND flow = 'abandoned_cart' GROUP BY recipient, subject HAVING MAX(CASE WHEN reason = 'cart_purchased' THEN 1 ELSE 0 END) = 0 AND MAX(recipient) <> '' ORDER BY recipient",
        // edge/src/email_flows.rs
        "SELECT email AS recipient FROM contacts c WHERE store_id = ?1 AND status = 'subscribed' AND subscribed_at < ?2 AND NOT EXISTS (SELECT 1 FROM email_sends s WHERE s.store_id = c.store_id AND s.recipient = c.email AND s.flow = 'post_purchase' AND s.step = 1 AND s.due_at >= ?2) ORDER BY email",
        // edge/src/email_flows.rs
        "INSERT INTO email_sends (store_id, flow, subject, step, template, recipient, status, reason, due_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (store_id, flow, subject, step) DO NOTHING",
        // edge/src/email_flows.rs
        "INSERT INTO email_sends (store_id, flow, subject, step, template, recipient, status, reason, due_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (store_id, flow, subject, step) DO UPDATE SET status = excluded.status, reason = excluded.reason, updated_at = excluded.updated_at WHERE email_sends.status <> 'sent'",
        // edge/src/analytics.rs
        "SELECT COALESCE(SUM(total_minor), 0) AS revenue, COUNT(*) AS orders FROM orders WHERE store_id = ?1 AND substr(created_at, 1, 10) >= ?2 AND substr(created_at, 1, 10) <= ?3",
        // edge/src/orders.rs
        "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + excluded.count, amount_minor = amount_minor + excluded.amount_minor",
        // edge/src/orders.rs
        "INSERT INTO orders (store_id, id, number, checkout_id, access_token, email, status, subtotal_minor, total_minor, currency, stripe_session_id, stripe_payment_intent, created_at) VALUES (?1, ?2, (SELECT COALESCE(MAX(number), 1000) + 1 FROM orders WHERE store_id = ?1), ?2, ?3, ?4, 'paid', ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (store_id, checkout_id) DO NOTHING",
        // edge/src/orders.rs
        "INSERT INTO order_items (store_id, order_id, position, product_id, variant_id, title, variant_title, unit_price_minor, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (order_id, position) DO NOTHING",
        // edge/src/orders.rs
        "UPDATE product_variants SET stock = MAX(stock - ?4, 0) WHERE store_id = ?1 AND id = ?3 AND stock IS NOT NULL AND EXISTS (SELECT 1 FROM checkouts c WHERE c.store_id = ?1 AND c.id = ?2 AND c.status = 'open')",
        // edge/src/orders.rs
        "INSERT INTO shopper_metrics (store_id, day, metric, count, amount_minor) SELECT ?1, ?3, 'purchase', 1, ?4 WHERE EXISTS (SELECT 1 FROM checkouts c WHERE c.store_id = ?1 AND c.id = ?2 AND c.status = 'open') ON CONFLICT (store_id, day, metric) DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor",
        // edge/src/slugs.rs
        "SELECT id FROM collections WHERE store_id = ?1 AND slug = ?2 AND id != ?3",
        // edge/src/slugs.rs
        "INSERT INTO slug_redirects (store_id, kind, old_slug, target_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (store_id, kind, old_slug) DO UPDATE SET target_id = excluded.target_id, created_at = excluded.created_at",
        // edge/src/seo.rs
        "INSERT INTO seo_history (store_id, product_id, run_id, field, old_value, new_value, reason, changed_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM products WHERE store_id = ?1 AND id = ?2 AND (CASE ?4 WHEN 'meta_title' THEN meta_title ELSE meta_description END) = ?5)",
        // edge/src/seo.rs
        "UPDATE products SET meta_title = ?4, updated_at = ?5 WHERE store_id = ?1 AND id = ?2 AND meta_title = ?3",
        // storefront-worker/src/products.rs
        "SELECT p.slug, p.title, p.price_minor, p.compare_at_minor, p.currency, p.images FROM products p JOIN (SELECT product_id, SUM(quantity) AS sold FROM order_items WHERE store_id = ?1 GROUP BY product_id) s ON s.product_id = p.id WHERE p.store_id = ?1 AND p.status = 'published' ORDER BY s.sold DESC, p.id LIMIT 8",
        // storefront-worker/src/catalog.rs
        "SELECT p.slug, p.title, p.price_minor, p.compare_at_minor, p.currency, p.images FROM collection_products m JOIN products p ON p.id = m.product_id AND p.store_id = ?1 LEFT JOIN (SELECT product_id, SUM(quantity) AS sold FROM order_items WHERE store_id = ?1 GROUP BY product_id) s ON s.product_id = p.id WHERE m.store_id = ?1 AND m.collection_id = ?2 AND p.status = 'published' ORDER BY s.sold DESC, p.id LIMIT ?3 OFFSET ?4",
        // storefront-worker/src/catalog.rs
        "SELECT COUNT(*) AS n FROM collection_products m JOIN products p ON p.id = m.product_id AND p.store_id = ?1 WHERE m.store_id = ?1 AND m.collection_id = ?2 AND p.status = 'published'",
        // storefront-worker/src/catalog.rs
        "SELECT t.slug FROM slug_redirects r JOIN collections t ON t.id = r.target_id AND t.store_id = ?1 WHERE r.store_id = ?1 AND r.kind = ?2 AND r.old_slug = ?3",
        // storefront-worker/src/catalog.rs
        "SELECT slug, title, price_minor, currency, (SELECT COUNT(*) FROM product_variants v WHERE v.store_id = ?1 AND v.product_id = p.id) AS variants FROM products p WHERE store_id = ?1 AND id = ?2 AND status = 'published'",
    ];

    #[test]
    fn the_statements_the_workers_run_today_pass() {
        for sql in WORKER_STATEMENTS {
            accepted(sql);
        }
    }

    fn refused(sql: &str) -> String {
        check(sql).expect_err(sql)
    }

    fn accepted(sql: &str) {
        if let Err(reason) = check(sql) {
            panic!("{sql}\nrefused: {reason}");
        }
    }

    #[test]
    fn plain_reads_and_writes_on_the_bound_store_pass() {
        accepted("SELECT * FROM products WHERE store_id = ?1 AND status = ?2");
        accepted("select id from products where ?1 = store_id");
        accepted("SELECT p.id FROM products p WHERE p.store_id = ?1");
        accepted("SELECT products.id FROM products WHERE products.store_id = ?1");
        accepted("UPDATE products SET title = ?2\n WHERE store_id  =  ?1");
        accepted("DELETE FROM products WHERE store_id = ?1 AND id = ?2 RETURNING id");
        accepted("INSERT INTO products (store_id, id) VALUES (?1, ?2)");
        accepted("INSERT INTO tags (id, store_id) VALUES (?2, ?1), (?3, ?1)");
        accepted("SELECT \"id\" FROM \"products\" WHERE \"store_id\" = ?1");
    }

    #[test]
    fn an_or_at_the_top_of_the_where_clause_is_refused() {
        refused("SELECT * FROM products WHERE store_id = ?1 OR 1 = 1");
        refused("SELECT * FROM products WHERE id = ?2 OR store_id = ?1");
        refused("UPDATE products SET title = ?2 WHERE store_id = ?1 OR id = ?3");
        let reason = refused("DELETE FROM products WHERE store_id = ?1 AND status = 'draft' OR 1");
        assert!(reason.contains("OR"), "{reason}");
    }

    #[test]
    fn an_or_inside_parentheses_anded_with_the_store_filter_passes() {
        accepted("SELECT * FROM products WHERE store_id = ?1 AND (status = ?2 OR status = ?3)");
        accepted("UPDATE products SET title = ?2 WHERE (store_id = ?1) AND (id = ?3 OR slug = ?4)");
        accepted("SELECT * FROM products WHERE (store_id = ?1 AND id = ?2)");
    }

    #[test]
    fn a_store_filter_inside_a_parenthesised_or_or_a_case_is_refused() {
        refused("SELECT * FROM products WHERE (store_id = ?1 OR 1 = 1)");
        refused("SELECT * FROM products WHERE NOT (store_id = ?1)");
        refused("SELECT * FROM products WHERE NOT store_id = ?1");
        refused("SELECT * FROM products WHERE CASE WHEN 1 THEN 1 ELSE 0 AND store_id = ?1 AND 1 END");
        refused("SELECT * FROM products WHERE id BETWEEN 1 AND store_id = ?1");
        refused("SELECT * FROM products WHERE store_id = ?1 COLLATE nocase");
    }

    #[test]
    fn a_store_filter_only_inside_a_subquery_is_refused() {
        refused(
            "SELECT * FROM products WHERE id IN (SELECT product_id FROM order_items WHERE store_id = ?1)",
        );
        refused("DELETE FROM products WHERE EXISTS (SELECT 1 FROM stores WHERE store_id = ?1)");
        refused("UPDATE products SET title = ?2 WHERE id = (SELECT id FROM products WHERE store_id = ?1)");
    }

    #[test]
    fn every_joined_table_must_be_filtered_or_joined_on_its_store() {
        refused("SELECT * FROM products p JOIN orders o ON o.id = p.id WHERE p.store_id = ?1");
        refused("SELECT * FROM products p, orders o WHERE p.store_id = ?1");
        refused("SELECT * FROM products p LEFT JOIN orders o ON o.id = p.id WHERE p.store_id = ?1");
        // An unqualified filter names no table when there are two.
        refused("SELECT * FROM products p JOIN orders o ON o.id = p.id WHERE store_id = ?1");
        // A left join's ON limits the joined table, not the one before it.
        refused("SELECT * FROM products p LEFT JOIN orders o ON p.store_id = ?1 AND o.store_id = ?1");
        refused(
            "SELECT * FROM products p RIGHT JOIN orders o ON o.store_id = p.store_id WHERE p.store_id = ?1",
        );
        // A subquery's store_id column may hold anything: it vouches for no table.
        refused(
            "SELECT * FROM orders o JOIN (SELECT 'x' AS store_id FROM products WHERE store_id = ?1) s \
             ON o.store_id = s.store_id",
        );
        accepted("SELECT * FROM products p JOIN orders o ON o.store_id = p.store_id WHERE p.store_id = ?1");
        accepted(
            "SELECT * FROM products p LEFT JOIN orders o ON o.store_id = p.store_id WHERE p.store_id = ?1",
        );
        accepted("SELECT * FROM products p, orders o WHERE o.store_id = p.store_id AND p.store_id = ?1");
        accepted("SELECT * FROM products p JOIN orders o ON o.store_id = ?1 WHERE p.store_id = ?1");
    }

    #[test]
    fn every_subquery_must_be_scoped_on_its_own() {
        refused("SELECT id, (SELECT COUNT(*) FROM orders) AS n FROM products WHERE store_id = ?1");
        refused("SELECT * FROM products WHERE store_id = ?1 AND id IN (SELECT product_id FROM order_items)");
        refused("SELECT * FROM (SELECT * FROM products) p WHERE p.store_id = ?1");
        refused("WITH all_products AS (SELECT * FROM products) SELECT * FROM all_products");
        refused("SELECT id FROM products WHERE store_id = ?1 UNION SELECT id FROM orders");
        refused("UPDATE products SET title = (SELECT title FROM posts LIMIT 1) WHERE store_id = ?1");
        refused("INSERT INTO products (store_id, title) VALUES (?1, (SELECT title FROM posts LIMIT 1))");
        refused("DELETE FROM products WHERE store_id = ?1 RETURNING (SELECT COUNT(*) FROM orders)");
        // A correlated subquery may take the store from the scoped table around it.
        accepted(
            "SELECT p.id FROM products p WHERE p.store_id = ?1 AND EXISTS \
             (SELECT 1 FROM order_items i WHERE i.store_id = p.store_id AND i.product_id = p.id)",
        );
        accepted("UPDATE products SET n = (SELECT COUNT(*) FROM tags t WHERE t.store_id = products.store_id) WHERE store_id = ?1");
    }

    #[test]
    fn a_numbered_parameter_means_exactly_that_parameter() {
        refused("SELECT * FROM products WHERE store_id = ?10");
        refused("SELECT * FROM products WHERE store_id = ?11 AND id = ?1");
        refused("SELECT * FROM products WHERE store_id = ?2");
        refused("INSERT INTO products (store_id, id) VALUES (?10, ?1)");
        accepted("SELECT * FROM products WHERE store_id = ?1 AND id = ?10");
    }

    #[test]
    fn unnumbered_and_named_parameters_and_several_statements_are_refused() {
        assert!(refused("SELECT * FROM products WHERE store_id = ?1 AND id = ?").contains("unnumbered"));
        assert!(refused("SELECT * FROM products WHERE store_id = ?1 AND id = :id").contains("named"));
        refused("SELECT * FROM products WHERE store_id = ?1 AND id = @id");
        refused("SELECT * FROM products WHERE store_id = ?1 AND id = $id");
        refused("SELECT * FROM products WHERE store_id = ?1 AND id = ?0");
        assert!(
            refused("SELECT * FROM products WHERE store_id = ?1; DELETE FROM products").contains("statement")
        );
        refused("SELECT * FROM products WHERE store_id = ?1;");
    }

    #[test]
    fn strings_and_comments_do_not_count_as_filters() {
        refused("SELECT * FROM products WHERE title = 'store_id = ?1'");
        refused("SELECT * FROM products WHERE 1 -- AND store_id = ?1");
        refused("SELECT * FROM products WHERE 1 /* AND store_id = ?1 */");
        refused("SELECT * FROM products WHERE store_id = '?1'");
        // A `;` or a parameter in a string is text, not syntax.
        accepted("SELECT * FROM products WHERE store_id = ?1 AND title = 'a;b ?' -- ; ?\n AND id = ?2");
        accepted("SELECT * FROM products WHERE store_id = ?1 AND title = 'it''s store_id = ?1'");
    }

    #[test]
    fn inserts_must_write_the_bound_store() {
        refused("INSERT INTO products (id) VALUES (?1)");
        refused("INSERT INTO products VALUES (?1, ?2)");
        refused("INSERT INTO products (store_id, id) VALUES (?2, ?1)");
        refused("INSERT INTO products (store_id, id) VALUES (?1, ?2), (?3, ?4)");
        refused("INSERT INTO products (store_id, id) DEFAULT VALUES");
        refused("INSERT INTO products (store_id, id) SELECT ?2, id FROM products WHERE store_id = ?1");
        refused("INSERT INTO products (store_id, id) SELECT store_id, id FROM products");
        refused("INSERT INTO products (store_id, id) SELECT * FROM products WHERE store_id = ?1");
        accepted("INSERT INTO products (store_id, id) SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM products WHERE store_id = ?1)");
        accepted("INSERT INTO products (store_id, id) SELECT store_id, id || '-copy' FROM products WHERE store_id = ?1");
        accepted("INSERT INTO products (store_id, id) SELECT p.store_id AS store_id, p.id FROM products p WHERE p.store_id = ?1");
    }

    #[test]
    fn replace_and_upserts_that_could_touch_another_store_are_refused() {
        refused("REPLACE INTO products (store_id, id) VALUES (?1, ?2)");
        refused("INSERT OR REPLACE INTO products (store_id, id) VALUES (?1, ?2)");
        refused("UPDATE OR REPLACE products SET id = ?2 WHERE store_id = ?1");
        refused("INSERT INTO products (store_id, id) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET title = excluded.title");
        refused("INSERT INTO products (store_id, id) VALUES (?1, ?2) ON CONFLICT DO UPDATE SET title = excluded.title");
        refused("INSERT INTO p (store_id, id) VALUES (?1, ?2) ON CONFLICT (store_id, id) DO UPDATE SET store_id = ?3");
        refused("UPDATE products SET store_id = ?2 WHERE store_id = ?1");
        refused("UPDATE products SET (title, store_id) = (?2, ?3) WHERE store_id = ?1");
        accepted("INSERT OR IGNORE INTO products (store_id, id) VALUES (?1, ?2)");
        accepted("INSERT INTO products (store_id, id) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING");
        accepted(
            "INSERT INTO m (store_id, day, n) VALUES (?1, ?2, 1) ON CONFLICT (store_id, day) \
             DO UPDATE SET n = n + excluded.n WHERE n < 10 RETURNING n",
        );
    }

    #[test]
    fn statements_other_than_reads_and_writes_and_non_store_tables_are_refused() {
        refused("PRAGMA foreign_keys = off");
        refused("DROP TABLE products");
        refused("ATTACH DATABASE 'x' AS y");
        refused("SELECT sql FROM sqlite_master WHERE store_id = ?1");
        refused("SELECT * FROM products p, pragma_table_info('products') WHERE p.store_id = ?1");
        refused("DELETE FROM products");
        refused("UPDATE products SET title = ?2");
        refused("SELECT * FROM products");
        refused("SELECT * FROM products WHERE store_id = ?1 WHERE 1");
        refused("SELECT * FROM products WHERE store_id = ?1 AND (id = ?2");
    }

    #[test]
    fn with_window_json_and_upsert_shapes_pass() {
        accepted(
            "WITH recent AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY status ORDER BY created_at DESC) AS n \
             FROM products WHERE store_id = ?1) SELECT id FROM recent WHERE n <= 3",
        );
        accepted("SELECT p.id FROM products p, json_each(?2) j WHERE p.store_id = ?1 AND p.id = j.value");
        accepted("SELECT COALESCE(MAX(position), 0) AS n FROM product_variants WHERE store_id = ?1 AND product_id = ?2");
        accepted(
            "SELECT COUNT(*) FILTER (WHERE status = 'published') AS n FROM products WHERE store_id = ?1",
        );
        accepted("SELECT a IS NOT DISTINCT FROM b AS same FROM products WHERE store_id = ?1");
        accepted("SELECT CAST(price_minor AS REAL) / 100 AS price FROM products WHERE store_id = ?1 AND id BETWEEN ?2 AND ?3");
        accepted(
            "SELECT id FROM products WHERE store_id = ?1 UNION ALL SELECT id FROM posts WHERE store_id = ?1 \
             ORDER BY id LIMIT ?2",
        );
        accepted("SELECT 1 AS ok");
    }

    const PIECES: &[&str] = &[
        "SELECT",
        "INSERT INTO t",
        "UPDATE t SET",
        "DELETE FROM",
        "WITH w AS",
        "VALUES",
        "FROM",
        "WHERE",
        "JOIN",
        "LEFT JOIN",
        "ON",
        "ON CONFLICT",
        "DO UPDATE SET",
        "DO NOTHING",
        "RETURNING",
        "UNION",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "CASE",
        "WHEN",
        "END",
        "AS",
        "(",
        ")",
        ",",
        ".",
        "=",
        "store_id",
        "p.store_id",
        "?1",
        "?2",
        "?",
        "'x'",
        "\"q\"",
        "--",
        "/*",
        "*/",
        ";",
        "products",
        "p",
        "1",
    ];

    proptest::proptest! {
        #[test]
        fn the_guard_answers_any_token_soup_without_panicking(
            picks in proptest::collection::vec(0..PIECES.len(), 0..40),
        ) {
            let sql = picks.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
            let _ = check(&sql);
        }

        #[test]
        fn the_guard_answers_any_text_without_panicking(sql in "\\PC{0,80}") {
            let _ = check(&sql);
        }
    }
}
