import Foundation
import Models
import Tensors
import XCTest

/// End-to-end: the real `ablate bench` on the reference workloads defined in docs/performance.md.
final class BenchCommandTests: XCTestCase {
    struct Workload: Decodable {
        var workload: String
        var name: String
        var model: String
        var parameters: Int
        var expectedParameters: Int
        var batch: Int
        var sourceLength: Int
        var targetLength: Int
        var flopsPerStep: Int
        var referenceGFLOP: Double
    }

    struct Result: Decodable {
        var workload: String
        var name: String
        var parameters: Int
        var batch: Int
        var targetLength: Int
        var steps: Int
        var warmup: Int
        var threads: Int
        var blasKernel: String
        var gemmPath: String
        var medianMilliseconds: Double
        var minMilliseconds: Double
        var maxMilliseconds: Double
        var tokensPerSecond: Double
        var flopsPerStep: Int
        var gflopsPerSecond: Double
        var sgemmPeakGFLOPS: Double
        var peakShare: Double
        var firstLoss: Double
        var lastLoss: Double
        var losses: [Double]
        var peakResidentBytes: Int
    }

    /// The definitions (docs/performance.md): the parameter counts, and the approximate GFLOP per step.
    static let reference: [String: (name: String, parameters: Int, gflop: Double)] = [
        "w1": ("encdec", 933_396, 12.5), "w2": ("decoder", 814_868, 22.6), "w3": ("rnn", 238_740, 3.1),
        // S1-S3: benchmarks.md gives the parameters; the GFLOP are this count's, rounded.
        "s1": ("encdec-small", 237_332, 0.553), "s2": ("decoder-small", 104_340, 0.530), "s3": ("rnn-small", 238_740, 0.547),
    ]

    func testTheWorkloadsHaveTheParametersAndFLOPsOfBenchmarksMd() throws {
        let result = try AblateBinary.run(["bench", "--list", "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let workloads = try JSONDecoder().decode([Workload].self, from: Data(result.standardOutput.utf8))
        XCTAssertEqual(workloads.map(\.workload), ["w1", "w2", "w3", "s1", "s2", "s3"])
        for w in workloads {
            let reference = try XCTUnwrap(Self.reference[w.workload])
            XCTAssertEqual(w.name, reference.name)
            XCTAssertEqual(w.parameters, reference.parameters, w.workload)
            XCTAssertEqual(w.expectedParameters, reference.parameters, w.workload)
            XCTAssertEqual(w.batch, 32)
            XCTAssertEqual(w.referenceGFLOP, reference.gflop)
            // The model the config builds here has the same count, and the FLOPs recounted from its
            // weight matrices agree with the command's formula exactly.
            let model = try Model.build(try ModelConfig.fromJSON(w.model), seed: 1)
            XCTAssertEqual(model.parameterCount, reference.parameters, w.workload)
            XCTAssertEqual(w.flopsPerStep, try Self.recount(model, w), w.workload)
            // ... and the definitions' rounded totals within 2%.
            let gflop = Double(w.flopsPerStep) / 1e9
            XCTAssertEqual(gflop, reference.gflop, accuracy: 0.02 * reference.gflop, w.workload)
        }
        // The totals worked out by hand in Bench.swift's comments.
        XCTAssertEqual(workloads.map(\.flopsPerStep), [12_513_705_984, 22_611_492_864, 3_082_813_440, 552_665_088, 530_350_080, 547_356_672])
        // The experiment-size workloads are the reference ones at other sizes, nothing else changed.
        let models = try Dictionary(uniqueKeysWithValues: workloads.map { ($0.workload, try ModelConfig.fromJSON($0.model)) })
        for (small, reference) in [("s1", "w1"), ("s2", "w2")] {
            guard case .transformer(var s)? = models[small], case .transformer(let w)? = models[reference] else { return XCTFail("\(small) is a Transformer") }
            XCTAssertEqual(s.modelSize, 64)
            XCTAssertEqual(s.feedForwardSize, 256)
            XCTAssertEqual(s.heads, 4)
            (s.modelSize, s.feedForwardSize, s.maxLength, s.decoderLayers) = (w.modelSize, w.feedForwardSize, w.maxLength, w.decoderLayers)
            XCTAssertEqual(s, w, small)
        }
        XCTAssertEqual(models["s3"], models["w3"])
        XCTAssertEqual(workloads.filter { $0.workload.hasPrefix("s") }.map { [$0.sourceLength, $0.targetLength] }, [[12, 12], [0, 26], [12, 12]])
        for (group, expected) in [("small", ["s1", "s2", "s3"]), ("reference", ["w1", "w2", "w3"]), ("decoder-small", ["s2"])] {
            let listed = try AblateBinary.run(["bench", "--list", "--json", "--workload", group])
            XCTAssertEqual(listed.status, 0, listed.standardError)
            XCTAssertEqual(try JSONDecoder().decode([Workload].self, from: Data(listed.standardOutput.utf8)).map(\.workload), expected, group)
        }

        let text = try AblateBinary.run(["bench", "--list"])
        XCTAssertEqual(text.status, 0, text.standardError)
        for fragment in ["w1 encdec", "933396", "w2 decoder", "814868", "w3 rnn", "238740", "12.514", "22.611", "3.083",
                         "s1 encdec-small", "237332", "s2 decoder-small", "104340", "s3 rnn-small", "0.553", "0.530", "0.547"] {
            XCTAssertTrue(text.standardOutput.contains(fragment), "\(fragment) in\n\(text.standardOutput)")
        }
    }

    /// FLOPs of one step counted independently from the parameters of the built model: 2 * rows * out * in
    /// for every weight matrix applied to `rows` rows, plus the attention products that have no weights
    /// (scores and weighted sums, dense), all times 3 for forward + backward.
    static func recount(_ model: Model, _ w: Workload) throws -> Int {
        let B = w.batch, S = w.sourceLength, T = w.targetLength
        var forward = 0
        let slices = model.parameters.slices
        switch model {
        case .transformer:
            for slice in slices where slice.shape.count == 2 && !slice.name.contains("embedding") && !slice.name.contains("positions") {
                // encoder rows are source positions; the cross-attention's keys and values read the encoder output
                let onSource = slice.name.hasPrefix("encoder.")
                    || slice.name.contains(".cross_attention.key.") || slice.name.contains(".cross_attention.value.")
                forward += 2 * B * (onSource ? S : T) * slice.shape[0] * slice.shape[1]
            }
            for slice in slices where slice.name.hasSuffix("attention.query.weight") {
                let C = slice.shape[0]
                let (queries, keys) = slice.name.hasPrefix("encoder.") ? (S, S) : slice.name.contains("cross") ? (T, S) : (T, T)
                forward += 2 * (2 * B * queries * keys * C)  // Q K^T and P V
            }
        case .rnn:
            for slice in slices where slice.shape.count == 2 && !slice.name.contains("embedding") {
                // the encoder's gates run over the source, U projects the keys once; the rest runs per decoder step
                let onSource = slice.name.hasPrefix("encoder.") || slice.name == "decoder.attention.U"
                forward += 2 * B * (onSource ? S : T) * slice.shape[0] * slice.shape[1]
            }
            let v = try XCTUnwrap(slices.first { $0.name == "decoder.attention.v" })
            let U = try XCTUnwrap(slices.first { $0.name == "decoder.attention.U" })
            forward += 2 * B * T * S * v.count         // v^T tanh(W s + U h_j) for every key j
            forward += 2 * B * T * S * U.shape[1]      // the context, sum_j a_j h_j
        }
        return 3 * forward
    }

    /// S3 rather than W3: the same model and code at a fifth of the sequence length, so that the suite
    /// (a debug build) spends seconds here rather than minutes.
    func testS3TrainsThroughTheRealBinaryAndItsLossGoesDown() throws {
        let steps = 6
        let result = try AblateBinary.run(["bench", "--workload", "rnn-small", "--steps", "\(steps)", "--warmup", "1", "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardError.contains("at least 30"), result.standardError)
        let records = try JSONDecoder().decode([Result].self, from: Data(result.standardOutput.utf8))
        let r = try XCTUnwrap(records.first)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(r.workload, "s3")
        XCTAssertEqual(r.name, "rnn-small")
        XCTAssertEqual(r.parameters, 238_740)
        XCTAssertEqual(r.steps, steps)
        XCTAssertEqual(r.warmup, 1)
        XCTAssertEqual(r.threads, 1)
        XCTAssertFalse(r.blasKernel.isEmpty)
        XCTAssertEqual(r.flopsPerStep, 547_356_672)
        XCTAssertEqual(r.losses.count, steps)
        XCTAssertEqual(r.firstLoss, r.losses.first)
        XCTAssertEqual(r.lastLoss, r.losses.last)
        XCTAssertLessThan(r.lastLoss, r.firstLoss, "\(r.losses)")
        XCTAssertTrue(r.losses.allSatisfy(\.isFinite))
        // The derived columns agree with each other (no timing targets).
        XCTAssertGreaterThan(r.medianMilliseconds, 0)
        XCTAssertLessThanOrEqual(r.minMilliseconds, r.medianMilliseconds)
        XCTAssertLessThanOrEqual(r.medianMilliseconds, r.maxMilliseconds)
        XCTAssertEqual(r.tokensPerSecond, Double(32 * 12) / (r.medianMilliseconds / 1000), accuracy: r.tokensPerSecond * 1e-9)
        XCTAssertEqual(r.gflopsPerSecond, Double(r.flopsPerStep) / (r.medianMilliseconds / 1000) / 1e9, accuracy: r.gflopsPerSecond * 1e-9)
        XCTAssertGreaterThan(r.sgemmPeakGFLOPS, 0)
        XCTAssertEqual(r.peakShare, r.gflopsPerSecond / r.sgemmPeakGFLOPS, accuracy: 1e-9)
        // S3's buffers and the peak measurement's matrices take several megabytes, far from a gigabyte
        XCTAssertGreaterThan(r.peakResidentBytes, 4 << 20)
        XCTAssertLessThan(r.peakResidentBytes, 1 << 30)
    }

    func testTheExperimentSizeWorkloadsTrainThroughTheRealBinary() throws {
        // On the ordered GEMM path, which the timed steps then say they ran on.
        let result = try AblateBinary.run(["bench", "--workload", "small", "--steps", "8", "--warmup", "0", "--peak", "50", "--json"],
                                          environment: ["ABLATE_GEMM": "ordered"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let records = try JSONDecoder().decode([Result].self, from: Data(result.standardOutput.utf8))
        XCTAssertEqual(records.map(\.workload), ["s1", "s2", "s3"])
        for r in records {
            let reference = try XCTUnwrap(Self.reference[r.workload])
            XCTAssertEqual(r.name, reference.name)
            XCTAssertEqual(r.parameters, reference.parameters, r.workload)
            XCTAssertEqual(r.losses.count, 8)
            XCTAssertEqual(r.gemmPath, "ordered")
            XCTAssertTrue(r.losses.allSatisfy(\.isFinite), "\(r.workload) \(r.losses)")
            XCTAssertLessThan(r.lastLoss, r.firstLoss, "\(r.workload) \(r.losses)")
            XCTAssertEqual(r.tokensPerSecond, Double(r.batch * r.targetLength) / (r.medianMilliseconds / 1000), accuracy: r.tokensPerSecond * 1e-9)
        }
    }

    func testAGivenPeakReplacesTheMeasurement() throws {
        let result = try AblateBinary.run(["bench", "--workload", "s3", "--steps", "1", "--warmup", "0", "--peak", "50", "--json"],
                                          environment: ["ABLATE_GEMM": nil])
        XCTAssertEqual(result.status, 0, result.standardError)
        let r = try XCTUnwrap(try JSONDecoder().decode([Result].self, from: Data(result.standardOutput.utf8)).first)
        XCTAssertEqual(r.sgemmPeakGFLOPS, 50)
        XCTAssertEqual(r.gemmPath, "openblas", "the default path")
        XCTAssertEqual(r.peakShare, r.gflopsPerSecond / 50, accuracy: 1e-9)
    }

    func testTheTextTable() throws {
        let result = try AblateBinary.run(["bench", "--workload", "s3", "--steps", "1", "--warmup", "0"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, result.standardOutput)
        XCTAssertTrue(lines[0].hasPrefix("sgemm peak 1024^3, 1 thread: "), lines[0])
        for column in ["workload", "params", "median ms", "tokens/s", "GFLOP/step", "GFLOP/s", "of peak", "loss first -> last", "peak RSS MB"] {
            XCTAssertTrue(lines[1].contains(column), "\(column) in \(lines[1])")
        }
        XCTAssertTrue(lines[3].hasPrefix("s3 rnn-small"), lines[3])
        XCTAssertTrue(lines[3].contains("238740"), lines[3])
        XCTAssertTrue(lines[3].contains("0.55"), lines[3])
    }

    func testBadOptionsExit2WithTheReason() throws {
        let cases: [([String], String)] = [
            (["--workload", "w4"], "--workload must be w1, w2, w3, s1, s2, s3, reference, small or all"),
            (["--steps", "0"], "--steps must be between 1 and"),
            (["--steps", "many"], "--steps takes a whole number, got \"many\""),
            (["--warmup=-1"], "--warmup must be between 0 and"),
            (["--threads", "0"], "--threads must be between 1 and"),
            (["--threads", "100000"], "--threads must be between 1 and"),
            (["--peak", "0"], "--peak takes a positive number of GFLOP/s"),
            (["--peak", "fast"], "--peak takes a positive number of GFLOP/s"),
        ]
        for (arguments, message) in cases {
            let result = try AblateBinary.run(["bench"] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.standardError)")
            XCTAssertEqual(result.standardOutput, "", "\(arguments): nothing timed")
        }
        let help = try AblateBinary.run(["bench", "--help"])
        XCTAssertEqual(help.status, 0)
        let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // undo the wrapping
        for fragment in ["W1 encdec", "W2 decoder", "W3 rnn", "S1 encdec-small", "S2 decoder-small", "S3 rnn-small", "docs/performance.md", "--workload", "--threads", "--steps", "--json"] {
            XCTAssertTrue(words.contains(fragment), "\(fragment) in the help")
        }
    }
}
