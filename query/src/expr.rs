//! The `--where` language: a conjunction of comparisons of a column with literal values.
//!
//! ```text
//! expr   := cmp ("and" cmp)*
//! cmp    := column op value | column "in" "(" value ("," value)* ")"
//! op     := "=" | "!=" | "<" | "<=" | ">" | ">="
//! value  := bare word | 'single quoted' | "double quoted"
//! ```
//!
//! `and` and `in` are keywords in any case. A bare word runs to the next space or one of
//! `= ! < > ( ) , ' "`. Values are typed by the column they are compared with (see
//! [`crate::slice`]): strings as they are, integers and floats parsed, booleans `true`/`false`.
//! `<`, `<=`, `>`, `>=` need a numeric column. Every parse error names the token it stopped at
//! and its byte offset.

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// Whether the operator orders values (needs a numeric column).
    pub fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

/// One condition of a `--where` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `column op value`
    Cmp {
        /// The column.
        column: String,
        /// The operator.
        op: Op,
        /// The literal, as written (unquoted).
        value: String,
    },
    /// `column in (v1, v2, ...)`
    In {
        /// The column.
        column: String,
        /// The literals, as written (unquoted).
        values: Vec<String>,
    },
}

impl Cond {
    /// The column the condition reads.
    pub fn column(&self) -> &str {
        match self {
            Cond::Cmp { column, .. } | Cond::In { column, .. } => column,
        }
    }
}

/// A parse error: what was expected, the token found instead and its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the bad token in the expression.
    pub offset: usize,
    /// The bad token as written (`end of expression` at the end).
    pub token: String,
    /// What the parser expected there.
    pub expected: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--where: expected {} at offset {}, found {}",
            self.expected, self.offset, self.token
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(String),
    Op(Op),
    Open,
    Close,
    Comma,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    offset: usize,
    text: String,
}

fn describe(t: &Token) -> String {
    match t.tok {
        Tok::End => "end of expression".to_string(),
        _ => format!("`{}`", t.text),
    }
}

const SPECIAL: &[char] = &['=', '!', '<', '>', '(', ')', ',', '\'', '"'];

fn lex(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = input.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (off, c) = bytes[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two = bytes.get(i + 1).map(|&(_, n)| n);
        let (tok, len) = match (c, two) {
            ('!', Some('=')) => (Tok::Op(Op::Ne), 2),
            ('<', Some('=')) => (Tok::Op(Op::Le), 2),
            ('>', Some('=')) => (Tok::Op(Op::Ge), 2),
            ('=', _) => (Tok::Op(Op::Eq), 1),
            ('<', _) => (Tok::Op(Op::Lt), 1),
            ('>', _) => (Tok::Op(Op::Gt), 1),
            ('(', _) => (Tok::Open, 1),
            (')', _) => (Tok::Close, 1),
            (',', _) => (Tok::Comma, 1),
            ('!', _) => {
                return Err(ParseError {
                    offset: off,
                    token: "`!`".into(),
                    expected: "`!=`".into(),
                });
            }
            ('\'' | '"', _) => {
                let end = bytes[i + 1..].iter().position(|&(_, n)| n == c);
                let Some(end) = end else {
                    return Err(ParseError {
                        offset: off,
                        token: format!("`{}`", &input[off..]),
                        expected: format!("a closing {c}"),
                    });
                };
                let close = i + 1 + end;
                let text: String = bytes[i + 1..close].iter().map(|&(_, ch)| ch).collect();
                out.push(Token {
                    tok: Tok::Quoted(text),
                    offset: off,
                    text: bytes[i..=close].iter().map(|&(_, ch)| ch).collect(),
                });
                i = close + 1;
                continue;
            }
            _ => {
                let mut j = i;
                while j < bytes.len()
                    && !bytes[j].1.is_whitespace()
                    && !SPECIAL.contains(&bytes[j].1)
                {
                    j += 1;
                }
                let word: String = bytes[i..j].iter().map(|&(_, ch)| ch).collect();
                out.push(Token {
                    tok: Tok::Word(word.clone()),
                    offset: off,
                    text: word,
                });
                i = j;
                continue;
            }
        };
        out.push(Token {
            tok,
            offset: off,
            text: bytes[i..i + len].iter().map(|&(_, ch)| ch).collect(),
        });
        i += len;
    }
    out.push(Token {
        tok: Tok::End,
        offset: input.len(),
        text: String::new(),
    });
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn err(t: &Token, expected: &str) -> ParseError {
        ParseError {
            offset: t.offset,
            token: describe(t),
            expected: expected.to_string(),
        }
    }

    fn column(&mut self) -> Result<String, ParseError> {
        let t = self.next();
        match &t.tok {
            Tok::Word(w) if !is_keyword(w) => Ok(w.clone()),
            _ => Err(Self::err(&t, "a column name")),
        }
    }

    fn value(&mut self) -> Result<String, ParseError> {
        let t = self.next();
        match t.tok {
            Tok::Word(w) if !is_keyword(&w) => Ok(w),
            Tok::Quoted(q) => Ok(q),
            _ => Err(Self::err(&t, "a value")),
        }
    }

    fn cond(&mut self) -> Result<Cond, ParseError> {
        let column = self.column()?;
        let t = self.next();
        match t.tok {
            Tok::Op(op) => Ok(Cond::Cmp {
                column,
                op,
                value: self.value()?,
            }),
            Tok::Word(w) if w.eq_ignore_ascii_case("in") => {
                let open = self.next();
                if open.tok != Tok::Open {
                    return Err(Self::err(&open, "`(` after `in`"));
                }
                let mut values = vec![self.value()?];
                loop {
                    let t = self.next();
                    match t.tok {
                        Tok::Comma => values.push(self.value()?),
                        Tok::Close => break,
                        _ => return Err(Self::err(&t, "`,` or `)`")),
                    }
                }
                Ok(Cond::In { column, values })
            }
            _ => Err(Self::err(
                &t,
                "an operator (=, !=, <, <=, >, >=) or `in` after the column",
            )),
        }
    }
}

fn is_keyword(w: &str) -> bool {
    w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("in")
}

/// Parses a `--where` expression into its conditions (all must hold).
pub fn parse(input: &str) -> Result<Vec<Cond>, ParseError> {
    let mut p = Parser {
        toks: lex(input)?,
        pos: 0,
    };
    let mut conds = vec![p.cond()?];
    loop {
        let t = p.next();
        match &t.tok {
            Tok::End => return Ok(conds),
            Tok::Word(w) if w.eq_ignore_ascii_case("and") => conds.push(p.cond()?),
            _ => return Err(Parser::err(&t, "`and` or the end of the expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(column: &str, op: Op, value: &str) -> Cond {
        Cond::Cmp {
            column: column.into(),
            op,
            value: value.into(),
        }
    }

    #[test]
    fn parses_every_operator_and_in() {
        let got = parse(
            "family=crash_loop and difficulty>=2 and difficulty<3 and a!=b and x<=1 and y>0.5 \
             and classifier IN (rules, 'cmd:python3 agent.py', \"x y\")",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                cmp("family", Op::Eq, "crash_loop"),
                cmp("difficulty", Op::Ge, "2"),
                cmp("difficulty", Op::Lt, "3"),
                cmp("a", Op::Ne, "b"),
                cmp("x", Op::Le, "1"),
                cmp("y", Op::Gt, "0.5"),
                Cond::In {
                    column: "classifier".into(),
                    values: vec!["rules".into(), "cmd:python3 agent.py".into(), "x y".into()],
                },
            ]
        );
    }

    #[test]
    fn values_may_hold_slashes_and_dashes() {
        let got = parse("expected_pod = shop/api-7f9c-x2").unwrap();
        assert_eq!(got, vec![cmp("expected_pod", Op::Eq, "shop/api-7f9c-x2")]);
    }

    #[test]
    fn errors_name_the_bad_token_and_offset() {
        let e = parse("difficulty => 2").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (12, "`>`"));
        assert!(e.expected.contains("a value"), "{e}");

        let e = parse("difficulty 2").unwrap_err();
        assert_eq!(e.token, "`2`");
        assert!(e.to_string().contains("an operator"), "{e}");

        let e = parse("a=1 or b=2").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (4, "`or`"));

        let e = parse("a=1 and").unwrap_err();
        assert_eq!(e.token, "end of expression");
        assert!(e.expected.contains("column"));

        let e = parse("a in 1,2").unwrap_err();
        assert_eq!(e.token, "`1`");
        assert!(e.expected.contains('('));

        let e = parse("a in (1 2)").unwrap_err();
        assert_eq!(e.token, "`2`");

        let e = parse("a = 'open").unwrap_err();
        assert_eq!(e.token, "`'open`");
        assert!(e.expected.contains("closing '"));

        let e = parse("a ! b").unwrap_err();
        assert_eq!(e.token, "`!`");

        let e = parse("").unwrap_err();
        assert_eq!(e.token, "end of expression");

        let e = parse("and = 1").unwrap_err();
        assert_eq!(e.token, "`and`");
    }
}
