import Foundation
import Runner
import Tensors

/// What `ablate bench --gemm` measured for one matrix product: the ordered GEMM (`gemmOrdered`, on each
/// vector level) against `gemm` (OpenBLAS), on the shapes the models run.
public struct GEMMBenchResult: Codable, Sendable {
    /// What the product is in a layer: "x W^T", "dY W" or "dY^T X".
    public var product: String
    /// "NT", "NN" or "TN": transposeA, transposeB.
    public var transposes: String
    public var m: Int
    public var n: Int
    public var k: Int
    public var beta: Float
    /// Timed repetitions per implementation (interleaved), and the calls each repetition times.
    public var repetitions: Int
    public var callsPerRepetition: Int
    /// The median over the repetitions of 2 m n k / (time of one call), in GFLOP/s.
    public var openBLASGFLOPS: Double
    /// The same for the ordered GEMM, by level name ("avx512", "avx2").
    public var orderedGFLOPS: [String: Double]
    /// For transposeB: the ordered GEMM on the best level given B^T already transposed (transposeB false).
    public var preTransposedGFLOPS: Double?
    /// True when every level (and the pre-transposed call) gave the same bits.
    public var sameBits: Bool
}

public enum GEMMBench {
    /// The layers (rows, outputs, inputs) whose products are timed, each in its three products: the
    /// forward x W^T (rows x outputs x inputs, NT), the input gradient dY W (rows x inputs x outputs, NN)
    /// and the weight gradient dY^T X (outputs x inputs x rows, TN). Rows are batch x length.
    public static let layers: [(rows: Int, outputs: Int, inputs: Int)] = [
        // S1-S3 and the experiments: 32 x 12 rows, d_model 64, d_ff 256, fused Q, K, V (192); 32 x 26 rows
        (384, 64, 64), (384, 256, 64), (384, 64, 256), (416, 192, 64), (832, 64, 64), (832, 256, 64), (832, 64, 256),
        // W1-W2: d_model 128, d_ff 512, 32 x 64 and 32 x 128 rows
        (2048, 128, 128), (2048, 512, 128), (2048, 128, 512), (4096, 128, 128),
        // the RNN's per-step products: batch 32 rows, three gates of 128 from inputs of 192 and from the state
        (32, 384, 192), (32, 384, 128), (32, 128, 128),
        // attention per (example, head): queries x keys x head size 16 (Q K^T; dS K and dS^T Q)
        (12, 12, 16), (26, 26, 16),
    ]

    /// One product to time.
    public struct Product: Sendable {
        public var product: String
        public var transposeA: Bool
        public var transposeB: Bool
        public var m: Int, n: Int, k: Int
        public var transposes: String { (transposeA ? "T" : "N") + (transposeB ? "T" : "N") }
    }

    /// The three products of every layer, in order.
    public static var products: [Product] {
        layers.flatMap { layer in [
            Product(product: "x W^T", transposeA: false, transposeB: true, m: layer.rows, n: layer.outputs, k: layer.inputs),
            Product(product: "dY W", transposeA: false, transposeB: false, m: layer.rows, n: layer.inputs, k: layer.outputs),
            Product(product: "dY^T X", transposeA: true, transposeB: false, m: layer.outputs, n: layer.inputs, k: layer.rows),
        ] }
    }

    /// The vector levels timed: those this CPU runs from AVX2 up (baseline only when it is all there is:
    /// its scalar fmaf is far slower and would take the whole budget).
    public static var levels: [VectorKernels.Level] {
        let vector = VectorKernels.available.filter { $0 >= .avx2 }
        return vector.isEmpty ? [.baseline] : vector.reversed()
    }

    /// Times `product` with beta 1 (the layers accumulate: bias rows in the forward, += in the backward):
    /// `repetitions` rounds, each timing a batch of about 2 ms of every implementation in turn, so that
    /// load from other processes falls on all of them alike; the medians are reported. OpenBLAS runs on
    /// `threads` threads (the ordered GEMM on one).
    public static func run(_ product: Product, repetitions: Int, threads: Int = 1) -> GEMMBenchResult {
        precondition(repetitions >= 1 && threads >= 1, "bench --gemm: repetitions >= 1, threads >= 1")
        BLAS.setThreads(threads)
        let (m, n, k) = (product.m, product.n, product.k)
        let rowsA = product.transposeA ? k : m, colsA = product.transposeA ? m : k
        let rowsB = product.transposeB ? n : k, colsB = product.transposeB ? k : n
        var rng = RNG(seed: UInt64(m * 1_000_003 + n * 1009 + k), purpose: .other, substream: 0x6E)
        let a = Tensor(shape: [rowsA, colsA]), b = Tensor(shape: [rowsB, colsB]), c = Tensor(shape: [m, n])
        rng.fillUniform(a.data, count: a.count, low: -1, high: 1)
        rng.fillUniform(b.data, count: b.count, low: -1, high: 1)
        rng.fillUniform(c.data, count: c.count, low: -1, high: 1)
        let transposed = Tensor(shape: [k, n])  // B^T for the pre-transposed call
        if product.transposeB { gemmOrderedTranspose(out: transposed.data, ldo: n, b: b.data, ldb: k, n: n, k: k) }
        let beta: Float = 1

        typealias Implementation = (name: String, call: () -> Void)
        var implementations: [Implementation] = [("openblas", {
            gemm(transposeA: product.transposeA, transposeB: product.transposeB, m: m, n: n, k: k, alpha: 1,
                 a: a.data, lda: colsA, b: b.data, ldb: colsB, beta: beta, c: c.data, ldc: n)
        })]
        for level in levels {
            implementations.append((level.name, {
                gemmOrdered(level: level, transposeA: product.transposeA, transposeB: product.transposeB, m: m, n: n, k: k, alpha: 1,
                            a: a.data, lda: colsA, b: b.data, ldb: colsB, beta: beta, c: c.data, ldc: n)
            }))
        }
        if product.transposeB, let best = levels.first {
            implementations.append(("pre-transposed", {
                gemmOrdered(level: best, transposeA: product.transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                            a: a.data, lda: colsA, b: transposed.data, ldb: n, beta: beta, c: c.data, ldc: n)
            }))
        }

        // The batch: about 2 ms at 100 GFLOP/s, at least one call.
        let flop = 2.0 * Double(m) * Double(n) * Double(k)
        let calls = max(1, Int(2e-3 * 100e9 / flop))
        for implementation in implementations { implementation.call() }  // warm caches and buffers
        var seconds = [[Double]](repeating: [], count: implementations.count)
        for _ in 0..<repetitions {
            for (index, implementation) in implementations.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<calls { implementation.call() }
                seconds[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(calls))
            }
        }
        let rates = seconds.map { flop / Bench.median($0) / 1e9 }

        // The same bits from every ordered implementation, on a fresh C.
        let start = c.clone()
        var outputs: [[Float]] = []
        for implementation in implementations.dropFirst() {
            c.data.update(from: start.data, count: c.count)
            implementation.call()
            outputs.append(c.array)
        }
        let sameBits = outputs.dropFirst().allSatisfy { output in
            zip(output, outputs[0]).allSatisfy { $0.bitPattern == $1.bitPattern }
        }

        var ordered: [String: Double] = [:]
        for (index, level) in levels.enumerated() { ordered[level.name] = rates[1 + index] }
        return GEMMBenchResult(
            product: product.product, transposes: product.transposes, m: m, n: n, k: k, beta: beta,
            repetitions: repetitions, callsPerRepetition: calls, openBLASGFLOPS: rates[0], orderedGFLOPS: ordered,
            preTransposedGFLOPS: product.transposeB ? rates.last : nil, sameBits: sameBits)
    }

    // MARK: Text

    /// The load averages over 1, 5 and 15 minutes (/proc/loadavg), or "unknown".
    public static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// What the numbers were measured on and how.
    public static func preamble(repetitions: Int, threads: Int) -> String {
        let blas = BLAS.status
        return "ordered GEMM against \(blas.usingOpenBLAS ? "OpenBLAS \(blas.version) (\(blas.kernel) kernel)" : "the built-in GEMM"), "
            + "\(threads) BLAS thread(s); CPU \(SystemInfo.cpuModel()), \(SystemInfo.cores) cores; vector levels "
            + levels.map(\.name).joined(separator: ", ") + "\n"
            + "GFLOP/s (2 m n k per call), beta 1, medians of \(repetitions) interleaved repetitions of about 2 ms each; "
            + "ratio = ordered / OpenBLAS; \"B^T given\": x W^T with W^T transposed beforehand"
    }

    /// The header of the text table (two lines).
    public static func tableHeader() -> String {
        var titles = [Bench.pad("product", 7, left: true), Bench.pad("", 2, left: true), Bench.pad("m", 5), Bench.pad("n", 5), Bench.pad("k", 5), Bench.pad("OpenBLAS", 8)]
        for level in levels { titles += [Bench.pad(level.name, 8), Bench.pad("ratio", 5)] }
        titles += [Bench.pad("B^T given", 9), Bench.pad("ratio", 5), "bits"]
        let line = titles.joined(separator: "  ")
        return line + "\n" + String(repeating: "-", count: line.count)
    }

    /// One row of the text table.
    public static func tableRow(_ r: GEMMBenchResult) -> String {
        var cells = [Bench.pad(r.product, 7, left: true), r.transposes, Bench.pad("\(r.m)", 5), Bench.pad("\(r.n)", 5), Bench.pad("\(r.k)", 5),
                     Bench.pad(String(format: "%.1f", r.openBLASGFLOPS), 8)]
        for level in levels {
            let rate = r.orderedGFLOPS[level.name] ?? 0
            cells += [Bench.pad(String(format: "%.1f", rate), 8), Bench.pad(String(format: "%.2f", rate / r.openBLASGFLOPS), 5)]
        }
        if let given = r.preTransposedGFLOPS {
            cells += [Bench.pad(String(format: "%.1f", given), 9), Bench.pad(String(format: "%.2f", given / r.openBLASGFLOPS), 5)]
        } else {
            cells += [Bench.pad("", 9), Bench.pad("", 5)]
        }
        cells.append(r.sameBits ? "same" : "DIFFER")
        return cells.joined(separator: "  ")
    }
}
