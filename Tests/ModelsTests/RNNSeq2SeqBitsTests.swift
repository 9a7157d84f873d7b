@testable import Models
import Tensors
import XCTest

/// The exact bits of the RNN baseline: the loss, every gradient, the logits and a greedy decoding of
/// fixed models, hashed and compared with values pinned before the recurrent layers and attentions were
/// refactored to share their drivers. A refactoring that keeps the same operations in the same order
/// keeps these; any other change to the arithmetic (an operation reordered, fused or dropped) changes
/// them, even when the finite-difference tests still pass.
///
/// The bits depend on the GEMM that runs (OpenBLAS's kernel for the CPU, or the built-in fallback), so
/// the pins are per GEMM; on a GEMM without pins the test is skipped and prints the values to pin.
final class RNNSeq2SeqBitsTests: XCTestCase {
    /// The configs: every cell with every attention, bidirectional and stacked, and dropout.
    static var variants: [(String, RNNConfig)] {
        var variants: [(String, RNNConfig)] = []
        for cell in RNNConfig.Cell.allCases {
            for attention in RNNConfig.Attention.allCases {
                variants.append(("\(cell.rawValue) \(attention.rawValue)", RNNSeq2SeqGradientTests.tiny(cell, attention)))
            }
            for attention in [RNNConfig.Attention.additive, .general, .none] {
                var config = RNNSeq2SeqGradientTests.tiny(cell, attention)
                config.bidirectional = true
                config.layers = 2
                variants.append(("\(cell.rawValue) \(attention.rawValue) bidirectional 2 layers", config))
            }
            var config = RNNSeq2SeqGradientTests.tiny(cell, .dot)
            config.layers = 3
            config.dropout = 0.25
            variants.append(("\(cell.rawValue) dot 3 layers dropout", config))
        }
        return variants
    }

    /// The hashes pinned per GEMM (see `gemmName`), one per variant, computed before the refactoring
    /// (OpenBLAS's kernels chosen with OPENBLAS_CORETYPE; the built-in GEMM with OpenBLAS not found).
    static let pinned: [String: [String: UInt64]] = [
        "OpenBLAS 0.3.21 SkylakeX": [
            "gru additive": 0x6f48164204c547d,
            "gru dot": 0x5bb36813c1088fea,
            "gru general": 0xe15b9464cd6d3c92,
            "gru none": 0x96832a3f0ca9a13b,
            "gru additive bidirectional 2 layers": 0xd965248a42ee56d,
            "gru general bidirectional 2 layers": 0xae0cd0f0235f8cde,
            "gru none bidirectional 2 layers": 0xae48705a6205cbdb,
            "gru dot 3 layers dropout": 0x4e43dcb04846eb8f,
            "lstm additive": 0x5bf4933b1f6ada43,
            "lstm dot": 0xb763fdcc2dc075e3,
            "lstm general": 0x9b6354187525785a,
            "lstm none": 0xa6d187ef2f747ae,
            "lstm additive bidirectional 2 layers": 0x6a3f1d010a1745a1,
            "lstm general bidirectional 2 layers": 0x6811eddd337ee173,
            "lstm none bidirectional 2 layers": 0x1ca8a108c49f02be,
            "lstm dot 3 layers dropout": 0xc66b18433c54f2fb
        ],
        "OpenBLAS 0.3.21 Haswell": [
            "gru additive": 0x6f48164204c547d,
            "gru dot": 0x5bb36813c1088fea,
            "gru general": 0xe15b9464cd6d3c92,
            "gru none": 0x96832a3f0ca9a13b,
            "gru additive bidirectional 2 layers": 0xf80428e1b9d33311,
            "gru general bidirectional 2 layers": 0xc85b7a2bf9431e36,
            "gru none bidirectional 2 layers": 0xf4ef48193604a6a2,
            "gru dot 3 layers dropout": 0x4e43dcb04846eb8f,
            "lstm additive": 0x5bf4933b1f6ada43,
            "lstm dot": 0xb763fdcc2dc075e3,
            "lstm general": 0x9b6354187525785a,
            "lstm none": 0xa6d187ef2f747ae,
            "lstm additive bidirectional 2 layers": 0xbeb21442456bbd5c,
            "lstm general bidirectional 2 layers": 0x164e68dd1c09d739,
            "lstm none bidirectional 2 layers": 0x589c3a64e3b5cacb,
            "lstm dot 3 layers dropout": 0xc66b18433c54f2fb
        ],
        "OpenBLAS 0.3.21 Zen": [
            "gru additive": 0x6f48164204c547d,
            "gru dot": 0x5bb36813c1088fea,
            "gru general": 0xe15b9464cd6d3c92,
            "gru none": 0x96832a3f0ca9a13b,
            "gru additive bidirectional 2 layers": 0xf80428e1b9d33311,
            "gru general bidirectional 2 layers": 0xc85b7a2bf9431e36,
            "gru none bidirectional 2 layers": 0xf4ef48193604a6a2,
            "gru dot 3 layers dropout": 0x4e43dcb04846eb8f,
            "lstm additive": 0x5bf4933b1f6ada43,
            "lstm dot": 0xb763fdcc2dc075e3,
            "lstm general": 0x9b6354187525785a,
            "lstm none": 0xa6d187ef2f747ae,
            "lstm additive bidirectional 2 layers": 0xbeb21442456bbd5c,
            "lstm general bidirectional 2 layers": 0x164e68dd1c09d739,
            "lstm none bidirectional 2 layers": 0x589c3a64e3b5cacb,
            "lstm dot 3 layers dropout": 0xc66b18433c54f2fb
        ],
        "built-in": [
            "gru additive": 0xf176cf25a33a5df8,
            "gru dot": 0xb6226770e577a3dc,
            "gru general": 0x4dc7fbc77772ac7e,
            "gru none": 0x5a04a1096e9c9fe0,
            "gru additive bidirectional 2 layers": 0xf46ea1801fb8c942,
            "gru general bidirectional 2 layers": 0x376a34e8f28b07a1,
            "gru none bidirectional 2 layers": 0x1a1dd9ddd66102e9,
            "gru dot 3 layers dropout": 0x701c5c2cd232bbf9,
            "lstm additive": 0x5879274793288531,
            "lstm dot": 0x14300f2b2c1fd5ef,
            "lstm general": 0x726f126e72015cff,
            "lstm none": 0x7b7b5b979a3c678c,
            "lstm additive bidirectional 2 layers": 0x1b77097bc18d6dc6,
            "lstm general bidirectional 2 layers": 0xbe6860e3d31af8c6,
            "lstm none bidirectional 2 layers": 0x64a8e09d1eb54bb2,
            "lstm dot 3 layers dropout": 0x1f4eb81101fad592
        ],
    ]

    /// Which GEMM runs: the bits are those of its kernel.
    static var gemmName: String {
        let status = BLAS.status
        return status.usingOpenBLAS ? "OpenBLAS \(status.version) \(status.kernel)" : "built-in"
    }

    /// FNV-1a over the bit patterns of the loss, the gradients, the logits and a greedy decoding
    /// (tokens and logits) of `config` on the padded batch of the gradient tests. `nudging` moves that
    /// parameter up by one ulp first.
    static func hash(_ config: RNNConfig, nudging parameter: Int? = nil) throws -> UInt64 {
        let rnn = try RNNSeq2Seq(config: config, seed: 11)
        if let parameter { rnn.parameters.values[parameter] = rnn.parameters.values[parameter].nextUp }
        let model = Model.rnn(rnn)
        let batch = RNNSeq2SeqGradientTests.batch(vocabulary: config.vocabulary)
        let workspace = model.makeWorkspace(maxBatch: batch.size, maxSourceLength: batch.sourceLength,
                                            maxTargetLength: batch.targetLength)
        var rng: RNG? = config.dropout > 0 ? RNG(seed: 3, purpose: .dropout) : nil
        model.parameters.zeroGradients()
        let result = model.forward(batch, workspace: workspace, labelSmoothing: 0.1, rng: &rng)
        model.backward(workspace: workspace)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash = (hash ^ UInt64((word >> UInt32(shift)) & 0xff)) &* 0x0000_0100_0000_01b3
            }
        }
        mix(result.loss.bitPattern)
        mix(UInt32(result.correct))
        model.parameters.gradients.array.forEach { mix($0.bitPattern) }
        let logits = workspace.rnn!.logits
        (0..<(batch.size * batch.targetLength * config.vocabulary)).forEach { mix(logits[$0].bitPattern) }
        let decoding = rnn.greedyDecode(source: batch.source, sourceLength: batch.sourceLength, sourceLengths: batch.sourceLengths,
                                        startToken: 1, batch: batch.size, steps: 5)
        decoding.tokens.forEach { mix(UInt32(bitPattern: $0)) }
        decoding.logits.forEach { mix($0.bitPattern) }
        return hash
    }

    func testLossGradientsAndDecodingKeepTheirBits() throws {
        var computed: [String: UInt64] = [:]
        for (label, config) in Self.variants { computed[label] = try Self.hash(config) }
        guard let pins = Self.pinned[Self.gemmName] else {
            let table = Self.variants.map { "            \"\($0.0)\": 0x\(String(computed[$0.0]!, radix: 16))," }.joined(separator: "\n")
            print("RNNSeq2SeqBitsTests: no pins for \(Self.gemmName); computed:\n\(table)")
            throw XCTSkip("no pinned bits for the GEMM \(Self.gemmName)")
        }
        XCTAssertEqual(Set(pins.keys), Set(computed.keys), "the pinned variants are the variants")
        for (label, _) in Self.variants {
            XCTAssertEqual(computed[label], pins[label], "\(label): the bits changed")
        }
    }

    func testTheHashSeesOneUlp() throws {
        // the hash is only as good as what it reads: one ulp in one weight of the last layer changes it
        let config = RNNSeq2SeqGradientTests.tiny(.lstm, .additive)
        let before = try Self.hash(config)
        XCTAssertEqual(try Self.hash(config), before, "the same model twice gives the same bits")
        let count = try RNNSeq2Seq(config: config, seed: 11).parameterCount
        XCTAssertNotEqual(try Self.hash(config, nudging: count - 1), before)
        XCTAssertNotEqual(try Self.hash(config, nudging: 0), before)
    }
}
