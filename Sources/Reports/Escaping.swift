// Escaping of untrusted text (experiment, variant and metric names come from
// experiment files and may hold quotes, backslashes, newlines, backticks,
// `<script>`, SQL, ...) for HTML, for Markdown tables and for a terminal.

public enum Escaping {
    /// Escapes text for HTML/XHTML element content and for quoted attribute
    /// values (single or double quotes): & < > " ' become entities.
    /// C0 control characters other than tab, newline and carriage return (and
    /// DEL) are not allowed in XML and are replaced by U+FFFD, so the output
    /// stays well-formed XHTML. C1 controls, U+2028/U+2029 and the bidirectional
    /// controls (see `isHidden(_:)`) are shown as `\u{HEX}`, as in a terminal, so a
    /// name cannot reorder the text of the page around it.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F
                || (0xFFFE...0xFFFF).contains(scalar.value):
                out += "\u{FFFD}"
            case _ where isHidden(scalar):
                // C1 controls, separators, bidirectional controls: shown, not obeyed.
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Attribute values: the same escaping as `html(_:)` (which covers both
    /// quote characters); always put the result inside quotes.
    public static func htmlAttribute(_ text: String) -> String { html(text) }

    /// Characters backslash-escaped anywhere in a Markdown cell. CommonMark lets
    /// any ASCII punctuation be backslash-escaped and then renders it literally.
    /// `|` would split the cell, `\` would escape what follows, backticks open
    /// code spans, `* _ ~` emphasis, `[ ]` links, `< >` raw HTML and autolinks,
    /// `&` entities.
    static let markdownEverywhere: Set<Character> = ["\\", "|", "`", "*", "_", "~", "[", "]", "<", ">", "&"]

    /// Characters escaped when they start a cell, where they could start block
    /// markup: `#` headings, `=` setext underlines, `!` images, `:` (some
    /// dialects' definition lists). `+` and `-` (bullets) and `1.`/`1)`
    /// (ordered lists) only start a list when a space or the end follows, so
    /// they are escaped only then: "+0.20" and "0.65" stay as they are.
    static let markdownLeading: Set<Character> = ["#", "=", "!", ":"]

    /// Escapes text for one cell of a GitHub-flavoured Markdown table (also
    /// fine for a heading's or a paragraph's inline text).
    /// Newlines become `<br>` (the only line break a table row allows); other
    /// control characters become spaces. Leading and trailing spaces are
    /// trimmed by Markdown anyway; an empty result stays empty.
    public static func markdownCell(_ text: String) -> String {
        var out = ""
        var atStart = true
        var leadingDigits = false
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character == "\r\n" || character == "\n" || character == "\r" {
                out += "<br>"
                atStart = false
                leadingDigits = false
                continue
            }
            if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
               scalar.value < 0x20 || scalar.value == 0x7F {
                out += " "
                continue
            }
            if character.unicodeScalars.contains(where: isHidden) {
                // C1 controls, separators and bidirectional controls: shown as \u{HEX} (the backslash escaped).
                for scalar in character.unicodeScalars {
                    out += isHidden(scalar) ? "\\\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
                }
                atStart = false
                leadingDigits = false
                continue
            }
            // A list marker needs a space (or the end of the line) after it.
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let markerFollows = next == nil || next == " " || next == "\t" || next!.isNewline
            if markdownEverywhere.contains(character) {
                out += "\\"
                out.append(character)
            } else if atStart && (markdownLeading.contains(character) || ((character == "+" || character == "-") && markerFollows)) {
                out += "\\"
                out.append(character)
            } else if leadingDigits && (character == "." || character == ")") && markerFollows {
                // "1. " or "1) " at the start would begin an ordered list.
                out += "\\"
                out.append(character)
            } else {
                out.append(character)
            }
            if character == " " && atStart { continue }  // indentation keeps "start of cell"
            leadingDigits = (atStart || leadingDigits) && character.isASCII && character.isNumber
            atStart = false
        }
        return out
    }

    /// Escapes text for a terminal, using Swift string-literal escapes so that
    /// what is shown is unambiguous and can be pasted back into Swift:
    /// `\n`, `\r`, `\t`, `\0` and `\\` for a backslash; every other control
    /// character (C0 including ESC, DEL, C1 U+0080-U+009F), the line and
    /// paragraph separators U+2028/U+2029 and the bidirectional formatting
    /// characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, which
    /// could reorder what a terminal shows) become `\u{HEX}` in upper-case
    /// hex, e.g. ESC is `\u{1B}`. So a cell can neither emit an escape sequence
    /// (colours, cursor moves, titles, OSC 8 links) nor break a line.
    public static func terminal(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _ where isHidden(scalar):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for what a terminal or a page would not show as itself: C0 and C1 control characters
    /// and DEL, the line and paragraph separators U+2028/U+2029, and the bidirectional formatting
    /// characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) that reorder the text
    /// around them.
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            || scalar.value == 0x2028 || scalar.value == 0x2029
            || scalar.value == 0x061C || scalar.value == 0x200E || scalar.value == 0x200F
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Text for a Markdown code block (shown exactly as it is, so escapes do not work there): tabs
    /// and newlines are kept (CR LF becomes LF), every other character of `isHidden(_:)` becomes
    /// `\u{HEX}` as in `terminal(_:)`, so the file holds no escape sequence and no reordering. The
    /// caller picks a fence longer than any run of backticks in the result.
    public static func markdownCode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r" where index + 1 < scalars.count && scalars[index + 1] == "\n": continue
            case _ where isHidden(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` as one word for a POSIX shell, safe to paste: as it is when it holds only letters,
    /// digits and `/._-+=:,` (and is not empty), else single-quoted (`'` written `'\''`), and when
    /// it holds a character of `isHidden(_:)` in ANSI-C quotes (`$'...'`, in bash, zsh, ksh and
    /// POSIX.1-2024 sh) with that character written `\xHH` (ASCII) or `\uHHHH`, so a pasted command
    /// holds no raw control character and means exactly `text`.
    public static func shellWord(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "/._-+=:,".unicodeScalars.contains($0)
        }
        if plain && !text.isEmpty { return text }
        guard text.unicodeScalars.contains(where: isHidden) else {
            return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        var out = "$'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where isHidden(scalar) && scalar.value < 0x80:
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true)
            case _ where isHidden(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
