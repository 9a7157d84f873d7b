import XCTest
@testable import Experiments

/// Random valid documents of nested inline tables, arrays, multi-line values, tricky strings and
/// quoted keys: `SourceMap` finds every key where the generator wrote it, in the order written, and
/// TOMLKit's own tree has exactly those keys (so the generator writes what it thinks it writes).
final class SourceMapFuzzTests: XCTestCase {
    /// SplitMix64: the same documents on every run.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        mutating func pick<T>(_ choices: [T]) -> T { choices[next(choices.count)] }
    }

    /// A document being written, with where each key went.
    struct Writer {
        var random: Generator
        var text = ""
        var line = 1
        var column = 1
        var keys: [(path: [String], location: SourceMap.Location)] = []

        mutating func write(_ piece: String) {
            for character in piece {
                text.append(character)
                if character == "\n" { line += 1; column = 1 } else { column += 1 }
            }
        }

        /// A key as written and as named, unique among `taken`.
        mutating func key(_ taken: inout Set<String>) -> (written: String, name: String) {
            while true {
                let base = random.pick(["a", "layers", "decoder_layers", "x-1", "k9", "b_c"]) + String(random.next(50))
                let (written, name): (String, String)
                switch random.next(4) {
                case 0: (written, name) = ("\"\(base).q = }{,\"", "\(base).q = }{,")
                case 1: (written, name) = ("'\(base) #['", "\(base) #[")
                default: (written, name) = (base, base)
                }
                if taken.insert(name).inserted { return (written, name) }
            }
        }

        mutating func value(at path: [String], depth: Int) {
            switch random.next(depth >= 3 ? 4 : 6) {
            case 0: write(random.pick(["1", "-2", "3.5e-3", "true", "inf", "1979-05-27"]))
            case 1: write(random.pick(["\"a, b } { ] [ # = \\\" x\"", "'c:\\ \"} #'", "\"é ü\"", "\"\""]))
            case 2: write(random.pick(["\"\"\"\nk = 1 }, { ]\n\"quoted\" \\\"\"\"\n\"\"\"", "'''\n[x]\ny = { } '' '''", "\"\"\"a\"\"\"\"\""]))
            case 3: write(random.pick(["[]", "{}"]))
            case 4:
                write("[")
                let count = 1 + random.next(3)
                for i in 0..<count {
                    if random.next(2) == 0 { write("\n  ") }
                    value(at: path + ["#\(i)"], depth: depth + 1)
                    if i < count - 1 || random.next(2) == 0 { write(",") }
                    if random.next(3) == 0 { write(" # } { , fake = 1\n") }
                }
                write(random.next(2) == 0 ? "\n]" : "]")
            default:
                table(at: path, depth: depth + 1)
            }
        }

        mutating func table(at path: [String], depth: Int) {
            write(random.pick(["{ ", "{"]))
            var taken = Set<String>()
            let count = 1 + random.next(3)
            for i in 0..<count {
                let (written, name) = key(&taken)
                keys.append((path + [name], SourceMap.Location(line: line, column: column)))
                write(written + random.pick([" = ", "=", "  =  "]))
                value(at: path + [name], depth: depth)
                if i < count - 1 { write(random.pick([", ", ",", " , "])) }
            }
            write(random.pick([" }", "}"]))
        }

        mutating func document() {
            var taken = Set<String>()
            for _ in 0..<(1 + random.next(3)) {
                let (written, name) = key(&taken)
                keys.append(([name], SourceMap.Location(line: line, column: column)))
                write(written + " = ")
                value(at: [name], depth: 0)
                write(random.pick(["\n", "  # a } comment\n"]))
            }
            for entry in 0..<random.next(3) {
                write("\n[[v]]\n")
                var inEntry = Set<String>()
                let (written, name) = key(&inEntry)
                keys.append((["v", "#\(entry)", name], SourceMap.Location(line: line, column: column)))
                write(written + " = ")
                value(at: ["v", "#\(entry)", name], depth: 0)
                write("\n")
            }
        }
    }

    /// Every key of a parsed tree, arrays' elements as "#i".
    private func paths(_ table: [String: TOMLNode], at path: [String]) -> Set<[String]> {
        var found = Set<[String]>()
        func walk(_ node: TOMLNode, _ path: [String]) {
            switch node {
            case .table(let entries, _): found.formUnion(paths(entries, at: path))
            case .array(let values): for (i, value) in values.enumerated() { walk(value, path + ["#\(i)"]) }
            default: break
            }
        }
        for (key, value) in table {
            found.insert(path + [key])
            walk(value, path + [key])
        }
        return found
    }

    func testKeysAreFoundWhereTheyAreWrittenInRandomDocuments() throws {
        for seed in 0..<1000 {
            var writer = Writer(random: Generator(state: UInt64(seed)))
            writer.document()
            let text = writer.text
            let tree = try TOMLDocument.parse(text)
            var written = Set(writer.keys.map(\.path))
            if tree["v"] != nil { written.insert(["v"]) }  // the [[v]] array: named by headers, not by a key
            XCTAssertEqual(paths(tree, at: []), written, "seed \(seed): the generator's keys are not TOML's\n\(text)")

            let map = SourceMap(text: text)
            for (path, location) in writer.keys {
                XCTAssertEqual(map.exact(path), location, "seed \(seed): \(path)\n\(text)")
            }
            XCTAssertEqual(map.order, writer.keys.map(\.path), "seed \(seed): the order\n\(text)")
            if testRun?.failureCount ?? 0 > 0 { return }  // one document is enough to read
        }
    }
}
