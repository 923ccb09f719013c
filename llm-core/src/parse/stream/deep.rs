//! Plain JSON below the root's members, checked by a table-driven automaton.
//!
//! Below a member of the root, the light reader reports nothing until the member's container
//! closes: it only has to know that the text is still JSON as `serde_json` writes it (and as the
//! repairer reads it: no `”` in a string, no surrogate escape), and where each container closes.
//! One table lookup per byte does that; only brackets, commas, newlines and the starts of strings
//! leave the table (a container's kind is kept on the reader's stack).

/// A state of the automaton, or (from [`ACTION`] up) what to do with the byte.
pub(super) type Deep = u8;

// The states. `S_*` are inside a string: the key's set, then the value's at `+ STRING`.
/// A value (after `:` or `,` in an array); `V1`: right after `[`, where `]` may close it.
const V: Deep = 0;
pub(super) const V1: Deep = 1;
/// A key (after `,` in an object); `K1`: right after `{`, where `}` may close it.
const K: Deep = 2;
pub(super) const K1: Deep = 3;
/// The `:` after a key.
const COLON: Deep = 4;
/// After a value: `,` or a closing bracket.
const AFTER: Deep = 5;
/// In a key's string; the states after it are the same for a value's string, at `+ STRING`.
const S: Deep = 6;
/// After `\xE2` in a string, then after `\xE2\x80` (`\x9D` would make `”`).
const S_E2: Deep = 7;
const S_E280: Deep = 8;
/// After `\`, after `\u`, after `\uD` or `\ud`, after one, two, three hex digits.
const S_ESC: Deep = 9;
const S_U0: Deep = 10;
const S_U1D: Deep = 11;
const S_U1: Deep = 12;
const S_U2: Deep = 13;
const S_U3: Deep = 14;
const STRING: Deep = S_U3 - S + 1;
/// Inside a number: after `-`, `0`, other integer digits, `.`, fraction digits, `e`, the
/// exponent's sign, its digits.
const N_MINUS: Deep = S + 2 * STRING;
const N_ZERO: Deep = N_MINUS + 1;
const N_INT: Deep = N_MINUS + 2;
const N_DOT: Deep = N_MINUS + 3;
const N_FRAC: Deep = N_MINUS + 4;
const N_E: Deep = N_MINUS + 5;
const N_ESIGN: Deep = N_MINUS + 6;
const N_EXP: Deep = N_MINUS + 7;
/// Inside `true`, `false`, `null` (a state per letter after the first, each word followed by
/// an unused one), and after one of them.
const LIT: Deep = N_EXP + 1;
const LIT_END: Deep = LIT + 13;
const STATES: usize = LIT_END as usize + 1;

// What to do, from `ACTION` up.
pub(super) const ACTION: Deep = 64;
/// The text is not plain JSON here.
pub(super) const DAMAGED: Deep = ACTION;
/// `{` or `[` opens a container.
pub(super) const OPEN_OBJECT: Deep = ACTION + 1;
pub(super) const OPEN_ARRAY: Deep = ACTION + 2;
/// `}` or `]` closes one.
pub(super) const CLOSE_OBJECT: Deep = ACTION + 3;
pub(super) const CLOSE_ARRAY: Deep = ACTION + 4;
/// `,`: a key or a value follows, by the container's kind.
pub(super) const COMMA: Deep = ACTION + 5;
/// A newline between tokens: the indentation after it is skipped a word at a time.
pub(super) const NEWLINE: Deep = ACTION + 6;
/// A string starts (a key's, a value's): its plain text is skipped a word at a time.
pub(super) const KEY: Deep = ACTION + 7;
pub(super) const STRING_VALUE: Deep = ACTION + 8;

// Byte classes.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const LF: u8 = 2;
const QUOTE: u8 = 3;
const BACKSLASH: u8 = 4;
const LBRACE: u8 = 5;
const RBRACE: u8 = 6;
const LBRACKET: u8 = 7;
const RBRACKET: u8 = 8;
const C_COMMA: u8 = 9;
const C_COLON: u8 = 10;
const ZERO: u8 = 11;
const ONE_TO_SEVEN: u8 = 12;
const EIGHT_NINE: u8 = 13;
const MINUS: u8 = 14;
const PLUS: u8 = 15;
const DOT: u8 = 16;
const SLASH: u8 = 17;
const CONTROL: u8 = 18;
const E2: u8 = 19;
const X80: u8 = 20;
const X9D: u8 = 21;
/// `A`-`C` and `F`: hex digits and nothing else.
const HEX_UPPER: u8 = 22;
const UPPER_D: u8 = 23;
const UPPER_E: u8 = 24;
/// Tab and carriage return: whitespace between tokens, control characters in a string.
const TAB_CR: u8 = 25;
/// Lowercase letters with a role of their own (hex digits, escapes, the literals' letters): the
/// class of `x` is `LOWER + (x - b'a')`; other letters are `OTHER`.
const LOWER: u8 = 26;
const CLASSES: usize = LOWER as usize + 26;

const fn lower(c: u8) -> u8 {
    LOWER + (c - b'a')
}

/// The class of every byte.
const CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = CONTROL;
        b += 1;
    }
    // Each byte with a class of its own, then the digits and letters.
    let single = [
        (b' ', SPACE),
        (b'\t', TAB_CR),
        (b'\r', TAB_CR),
        (b'\n', LF),
        (b'"', QUOTE),
        (b'\\', BACKSLASH),
        (b'{', LBRACE),
        (b'}', RBRACE),
        (b'[', LBRACKET),
        (b']', RBRACKET),
        (b',', C_COMMA),
        (b':', C_COLON),
        (b'0', ZERO),
        (b'8', EIGHT_NINE),
        (b'9', EIGHT_NINE),
        (b'-', MINUS),
        (b'+', PLUS),
        (b'.', DOT),
        (b'/', SLASH),
        (0xE2, E2),
        (0x80, X80),
        (0x9D, X9D),
        (b'A', HEX_UPPER),
        (b'B', HEX_UPPER),
        (b'C', HEX_UPPER),
        (b'F', HEX_UPPER),
        (b'D', UPPER_D),
        (b'E', UPPER_E),
    ];
    let mut k = 0;
    while k < single.len() {
        t[single[k].0 as usize] = single[k].1;
        k += 1;
    }
    let mut d = b'1';
    while d <= b'7' {
        t[d as usize] = ONE_TO_SEVEN;
        d += 1;
    }
    let mut c = b'a';
    while c <= b'z' {
        t[c as usize] = lower(c);
        c += 1;
    }
    t
};

/// Whether `class` is a hex digit's; `surrogate`: one that makes `\uD` a surrogate (`8`-`F`).
const fn hex(class: u8, surrogate: bool) -> bool {
    match class {
        ZERO | ONE_TO_SEVEN => !surrogate,
        EIGHT_NINE | HEX_UPPER | UPPER_D | UPPER_E => true,
        _ => class >= lower(b'a') && class <= lower(b'f'),
    }
}

const fn digit(class: u8) -> bool {
    matches!(class, ZERO | ONE_TO_SEVEN | EIGHT_NINE)
}

/// The next state (or action) for every state and class.
const NEXT: [[Deep; 64]; 64] = {
    let mut t = [[DAMAGED; 64]; 64];
    let mut c = 0;
    while c < CLASSES {
        let class = c as u8;
        let is_space = class == SPACE || class == TAB_CR;
        // Between tokens.
        let mut state = V;
        while state <= AFTER {
            if is_space {
                t[state as usize][c] = state;
            }
            if class == LF {
                t[state as usize][c] = NEWLINE;
            }
            state += 1;
        }
        let value = match class {
            LBRACE => OPEN_OBJECT,
            LBRACKET => OPEN_ARRAY,
            QUOTE => STRING_VALUE,
            MINUS => N_MINUS,
            ZERO => N_ZERO,
            ONE_TO_SEVEN | EIGHT_NINE => N_INT,
            _ if class == lower(b't') => LIT,
            _ if class == lower(b'f') => LIT + 4,
            _ if class == lower(b'n') => LIT + 9,
            _ => DAMAGED,
        };
        if value != DAMAGED {
            t[V as usize][c] = value;
            t[V1 as usize][c] = value;
        }
        match class {
            RBRACKET => {
                t[V1 as usize][c] = CLOSE_ARRAY;
                t[AFTER as usize][c] = CLOSE_ARRAY;
            }
            RBRACE => {
                t[K1 as usize][c] = CLOSE_OBJECT;
                t[AFTER as usize][c] = CLOSE_OBJECT;
            }
            QUOTE => {
                t[K as usize][c] = KEY;
                t[K1 as usize][c] = KEY;
            }
            C_COLON => t[COLON as usize][c] = V,
            C_COMMA => t[AFTER as usize][c] = COMMA,
            _ => {}
        }
        // Strings: a key's (then `:`), a value's (then `,` or a bracket).
        let mut base = S;
        while base < S + 2 * STRING {
            let end = if base == S { COLON } else { AFTER };
            let plain = match class {
                QUOTE => end,
                BACKSLASH => base + (S_ESC - S),
                CONTROL | LF | TAB_CR => DAMAGED,
                E2 => base + (S_E2 - S),
                _ => base,
            };
            t[base as usize][c] = plain;
            t[(base + (S_E2 - S)) as usize][c] = if class == X80 {
                base + (S_E280 - S)
            } else {
                plain
            };
            t[(base + (S_E280 - S)) as usize][c] = if class == X9D { DAMAGED } else { plain };
            let escaped = class == QUOTE
                || class == BACKSLASH
                || class == SLASH
                || class == lower(b'b')
                || class == lower(b'f')
                || class == lower(b'n')
                || class == lower(b'r')
                || class == lower(b't');
            t[(base + (S_ESC - S)) as usize][c] = if escaped {
                base
            } else if class == lower(b'u') {
                base + (S_U0 - S)
            } else {
                DAMAGED
            };
            t[(base + (S_U0 - S)) as usize][c] = if class == UPPER_D || class == lower(b'd') {
                base + (S_U1D - S)
            } else if hex(class, false) {
                base + (S_U1 - S)
            } else {
                DAMAGED
            };
            // `\uD800`-`\uDFFF`: surrogates, paired (or not) by the repairer.
            t[(base + (S_U1D - S)) as usize][c] = if hex(class, false) && !hex(class, true) {
                base + (S_U2 - S)
            } else {
                DAMAGED
            };
            let mut n = S_U1;
            while n <= S_U3 {
                t[(base + (n - S)) as usize][c] = if hex(class, false) {
                    if n == S_U3 { base } else { base + (n + 1 - S) }
                } else {
                    DAMAGED
                };
                n += 1;
            }
            base += STRING;
        }
        // Numbers as JSON writes them (`repair::is_json_number`), then what may end one.
        let after_token = match class {
            SPACE | TAB_CR => AFTER,
            LF => NEWLINE,
            C_COMMA => COMMA,
            RBRACE => CLOSE_OBJECT,
            RBRACKET => CLOSE_ARRAY,
            _ => DAMAGED,
        };
        let exponent = class == UPPER_E || class == lower(b'e');
        t[N_MINUS as usize][c] = match class {
            ZERO => N_ZERO,
            ONE_TO_SEVEN | EIGHT_NINE => N_INT,
            _ => DAMAGED,
        };
        let mut n = N_ZERO;
        while n <= N_EXP {
            t[n as usize][c] = after_token;
            n += 1;
        }
        if digit(class) {
            t[N_INT as usize][c] = N_INT;
            t[N_DOT as usize][c] = N_FRAC;
            t[N_FRAC as usize][c] = N_FRAC;
            t[N_E as usize][c] = N_EXP;
            t[N_ESIGN as usize][c] = N_EXP;
            t[N_EXP as usize][c] = N_EXP;
        }
        t[N_DOT as usize][c] = if digit(class) { N_FRAC } else { DAMAGED };
        t[N_E as usize][c] = if digit(class) {
            N_EXP
        } else if class == PLUS || class == MINUS {
            N_ESIGN
        } else {
            DAMAGED
        };
        t[N_ESIGN as usize][c] = if digit(class) { N_EXP } else { DAMAGED };
        if class == DOT {
            t[N_ZERO as usize][c] = N_DOT;
            t[N_INT as usize][c] = N_DOT;
        }
        if exponent {
            t[N_ZERO as usize][c] = N_E;
            t[N_INT as usize][c] = N_E;
            t[N_FRAC as usize][c] = N_E;
        }
        // `true`, `false`, `null`: their letters after the first, each leading to the next.
        let letters = *b"rue\0alse\0ull\0";
        let mut k = 0;
        while k < letters.len() {
            let state = LIT + k as u8;
            let want = letters[k];
            t[state as usize][c] = if want == 0 {
                DAMAGED
            } else if class == lower(want) {
                if letters[k + 1] == 0 {
                    LIT_END
                } else {
                    state + 1
                }
            } else {
                DAMAGED
            };
            k += 1;
        }
        t[LIT_END as usize][c] = after_token;
        c += 1;
    }
    t
};

/// [`NEXT`] indexed by the byte itself rather than its class: one lookup per byte.
static NEXT_BYTE: [[Deep; 256]; 64] = {
    let mut t = [[DAMAGED; 256]; 64];
    let mut state = 0;
    while state < 64 {
        let mut b = 0;
        while b < 256 {
            t[state][b] = NEXT[state][CLASS[b] as usize];
            b += 1;
        }
        state += 1;
    }
    t
};

/// The state or action after `state` reads byte `b`.
#[inline(always)]
pub(super) fn next(state: Deep, b: u8) -> Deep {
    NEXT_BYTE[usize::from(state & 63)][usize::from(b)]
}

/// The state a string's text is in (a key's or a value's), for skipping its plain run.
#[inline]
pub(super) fn string_state(key: bool) -> Deep {
    if key { S } else { S + STRING }
}

/// The state after a `,` in a container (an object's key, an array's value).
#[inline]
pub(super) fn after_comma(object: bool) -> Deep {
    if object { K } else { V }
}

/// The state after a value closes a container that leaves another open.
pub(super) const AFTER_VALUE: Deep = AFTER;

/// The state after a key's closing quote, and after its `:`.
pub(super) const AFTER_KEY: Deep = COLON;
pub(super) const VALUE: Deep = V;

const _: () = assert!(STATES <= ACTION as usize && CLASSES <= 64);
