import Foundation
@testable import Models
import XCTest

/// docs/checkpoints.md lists every tensor name a model writes.
final class CheckpointDocumentationTests: XCTestCase {
    /// The name patterns in backticks in the first column of the tables, expanded ({a,b}) into regexes (N = a layer index).
    static func documentedPatterns() throws -> [NSRegularExpression] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/checkpoints.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        var patterns: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(3).prefix { $0 != "`" }
            var expansions = [""]
            var rest = Substring(cell)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                let prefix = String(rest[..<open])
                let choices = rest[rest.index(after: open)..<close].split(separator: ",").map(String.init)
                expansions = expansions.flatMap { e in choices.map { e + prefix + $0 } }
                rest = rest[rest.index(after: close)...]
            }
            patterns += expansions.map { $0 + rest }
        }
        return try patterns.map { pattern in
            let escaped = NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\.N\\.", with: "\\.[0-9]+\\.")
            return try NSRegularExpression(pattern: "^\(escaped)$")
        }
    }

    func testEveryTransformerParameterIsDocumented() throws {
        let patterns = try Self.documentedPatterns()
        XCTAssertGreaterThan(patterns.count, 40)
        var configs: [TransformerConfig] = []
        for layout in TransformerConfig.Layout.allCases {
            var config = TransformerGradientTests.tiny(layout)
            config.positional = .learned
            for norm in TransformerConfig.Norm.allCases {
                config.norm = norm
                configs.append(config)
            }
            if layout != .encoderOnly {
                config.tiedEmbeddings = true
                configs.append(config)
            }
        }
        for config in configs {
            let model = try Transformer(config: config, seed: 1)
            for name in model.parameters.names {
                let range = NSRange(name.startIndex..., in: name)
                XCTAssertTrue(patterns.contains { $0.firstMatch(in: name, range: range) != nil },
                              "\(name) (\(config.layout.rawValue)) is not in docs/checkpoints.md")
            }
        }
    }

    func testEveryRNNParameterIsDocumented() throws {
        let patterns = try Self.documentedPatterns()
        for cell in RNNConfig.Cell.allCases {
            for attention in RNNConfig.Attention.allCases {
                for bidirectional in [false, true] where !(attention == .dot && bidirectional) {
                    var config = RNNConfig()
                    config.cell = cell
                    config.attention = attention
                    config.bidirectional = bidirectional
                    config.layers = 2
                    config.hidden = 4
                    config.embeddingSize = 3
                    config.attentionSize = 4
                    let model = try RNNSeq2Seq(config: config, seed: 1)
                    for name in model.parameters.names {
                        let range = NSRange(name.startIndex..., in: name)
                        XCTAssertTrue(patterns.contains { $0.firstMatch(in: name, range: range) != nil },
                                      "\(name) (\(cell.rawValue) \(attention.rawValue)) is not in docs/checkpoints.md")
                    }
                }
            }
        }
    }
}
