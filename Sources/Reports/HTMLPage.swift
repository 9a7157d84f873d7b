// A minimal self-contained HTML page: inline CSS, images as data: URIs, no
// scripts and no external resources, so a report opens offline years later.
// The output is also well-formed XML (XHTML-compatible serialisation of HTML5).

public struct HTMLPage: Equatable, Sendable {
    public enum Block: Equatable, Sendable {
        case paragraph(String)
        /// A bulleted list.
        case list([String])
        case table(Table)
        /// Monospaced text, e.g. a resolved configuration.
        case preformatted(String)
        /// An embedded image; `mimeType` e.g. "image/png" or "image/svg+xml".
        case image(bytes: [UInt8], mimeType: String, alt: String)
    }

    public struct Section: Equatable, Sendable {
        public var heading: String
        public var blocks: [Block]
        public init(heading: String, blocks: [Block]) {
            self.heading = heading
            self.blocks = blocks
        }
    }

    public var title: String
    public var sections: [Section]

    public init(title: String, sections: [Section]) {
        self.title = title
        self.sections = sections
    }

    /// Inline style sheet; contains no `<` or `&`, so it is safe inside `<style>` as XML.
    public static let css = """
    body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
    h1, h2 { font-weight: 600; }
    table { border-collapse: collapse; margin: 1rem 0; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
    th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
    th { background: #f3f3f3; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.center, th.center { text-align: center; }
    pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
    img { max-width: 100%; height: auto; }
    """

    /// A `data:` URI for the bytes. A MIME type outside [A-Za-z0-9/+.-] is
    /// replaced by application/octet-stream, so it cannot break the attribute.
    public static func dataURI(bytes: [UInt8], mimeType: String) -> String {
        let safe = !mimeType.isEmpty && mimeType.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9")
                || $0 == "/" || $0 == "+" || $0 == "." || $0 == "-"
        }
        return "data:\(safe ? mimeType : "application/octet-stream");base64,\(base64(bytes))"
    }

    /// Standard base64 (RFC 4648) with padding. Written here so Reports needs no dependencies.
    public static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The whole document.
    public func render() -> String {
        var out = "<!DOCTYPE html>\n"
        out += "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
        out += "<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<title>\(Escaping.html(title))</title>\n"
        out += "<style>\n\(HTMLPage.css)\n</style>\n</head>\n<body>\n"
        out += "<h1>\(Escaping.html(title))</h1>\n"
        for section in sections {
            out += "<section>\n"
            if !section.heading.isEmpty { out += "<h2>\(Escaping.html(section.heading))</h2>\n" }
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out += "<p>\(Escaping.html(text))</p>\n"
                case .list(let items):
                    out += "<ul>\n" + items.map { "<li>\(Escaping.html($0))</li>\n" }.joined() + "</ul>\n"
                case .table(let table):
                    out += table.html()
                case .preformatted(let text):
                    out += "<pre>\(Escaping.html(text))</pre>\n"
                case .image(let bytes, let mimeType, let alt):
                    let uri = HTMLPage.dataURI(bytes: bytes, mimeType: mimeType)
                    out += "<p><img src=\"\(Escaping.htmlAttribute(uri))\" alt=\"\(Escaping.htmlAttribute(alt))\"/></p>\n"
                }
            }
            out += "</section>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }
}
