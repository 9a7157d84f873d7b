import Foundation
import Models
import Tensors
import Training

/// What `ablate bench` measured for one workload.
public struct BenchResult: Codable, Sendable {
    /// w1, w2, w3
    public var workload: String
    /// encdec, decoder, rnn
    public var name: String
    public var parameters: Int
    public var batch: Int
    public var targetLength: Int
    /// Timed steps (after the warm-up).
    public var steps: Int
    /// Untimed steps before them.
    public var warmup: Int
    /// BLAS threads during the steps.
    public var threads: Int
    /// The OpenBLAS kernel, or "built-in GEMM".
    public var blasKernel: String
    /// The GEMM path of the steps (`GEMMPath`: "openblas" or "ordered").
    public var gemmPath: String
    /// The instruction set of the C row kernels: "avx512", "avx2" or "baseline".
    public var vectorKernels: String
    /// Over the timed steps, each forward + backward + Adam update on one batch.
    public var medianMilliseconds: Double
    public var minMilliseconds: Double
    public var maxMilliseconds: Double
    /// batch x target length / median step time.
    public var tokensPerSecond: Double
    /// Matrix-product FLOPs of one step, counted as docs/performance.md ("Counting FLOPs") says.
    public var flopsPerStep: Int
    /// flopsPerStep / median step time, in GFLOP/s.
    public var gflopsPerSecond: Double
    /// The single-thread sgemm rate this process measured at start (Doctor.measureGFLOPS at 1024^3).
    public var sgemmPeakGFLOPS: Double
    /// gflopsPerSecond / sgemmPeakGFLOPS (can pass 1 with several threads).
    public var peakShare: Double
    /// The losses of the first and the last timed step.
    public var firstLoss: Double
    public var lastLoss: Double
    /// The losses of every timed step, in order.
    public var losses: [Double]
    /// The process's peak resident set size (getrusage ru_maxrss) after this workload's steps, in bytes.
    /// It covers everything the process did before, so run one workload per process (`--workload w1`)
    /// to read one workload's footprint.
    public var peakResidentBytes: Int
}

public enum Bench {
    /// The learning rate of every workload (docs/performance.md); Adam's other settings are its defaults:
    /// betas 0.9 and 0.999, epsilon 1e-8, no weight decay.
    public static let learningRate: Float = 1e-3
    /// The workload definitions (docs/performance.md) ask for the median over at least this many timed steps.
    public static let recommendedSteps = 30
    /// The size n of the n x n x n sgemm whose single-thread rate is the peak.
    public static let peakSize = 1024

    /// The single-thread sgemm rate, measured as `ablate doctor` does; leaves the BLAS threads at 1.
    public static func measurePeak() -> Double {
        BLAS.setThreads(1)
        return Doctor.measureGFLOPS(size: peakSize)
    }

    /// The instruction set of the C row kernels (softmax, layer norm, ...).
    public static var vectorKernels: String { VectorKernels.level.name }

    /// The GEMM path the steps run on (`GEMMPath`, chosen by ABLATE_GEMM).
    public static var gemmPath: String { GEMMPath.current.rawValue }

    /// The BLAS kernel the GEMMs run on.
    public static var blasKernel: String {
        let blas = BLAS.status
        return blas.usingOpenBLAS ? blas.kernel : "built-in GEMM"
    }

    /// Builds the workload's model (from `RNG(seed, .initialization)`) and data (from `RNG(seed + 1, .data)`),
    /// runs `warmup` untimed steps then `steps` timed ones with `threads` BLAS threads, and reports them.
    /// Throws when the model does not have the parameter count of its definition (docs/performance.md).
    public static func run(_ workload: BenchWorkload, steps: Int, warmup: Int, threads: Int, peakGFLOPS: Double,
                           seed: UInt64 = 1) throws -> BenchResult {
        precondition(steps >= 1 && warmup >= 0 && threads >= 1, "bench: steps >= 1, warmup >= 0, threads >= 1")
        let model = try Model.build(workload.model, seed: seed)
        guard model.parameterCount == workload.expectedParameters else {
            throw BenchError(message: "\(workload.id.rawValue) \(workload.name) has \(model.parameterCount) parameters, its definition (docs/performance.md) says \(workload.expectedParameters)")
        }
        let batches = workload.makeBatches(count: warmup + steps, seed: seed + 1)
        let workspace = model.makeWorkspace(maxBatch: workload.batch, maxSourceLength: workload.sourceLength,
                                            maxTargetLength: workload.targetLength)
        let optimizer = Adam(parameterCount: model.parameterCount, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)
        let parameters = model.parameters
        var noDropout: RNG? = nil
        // One step: zero the gradients, forward (teacher forcing) and loss, backward, Adam. No clipping.
        func step(_ batch: SequenceBatch) -> Float {
            parameters.zeroGradients()
            let result = model.forward(batch, workspace: workspace, rng: &noDropout)
            model.backward(workspace: workspace)
            optimizer.step(parameters: parameters, learningRate: learningRate)
            return result.loss
        }

        BLAS.setThreads(threads)
        for i in 0..<warmup { _ = step(batches[i]) }
        var nanoseconds = [UInt64](repeating: 0, count: steps)
        var losses = [Float](repeating: 0, count: steps)
        for i in 0..<steps {
            let start = DispatchTime.now().uptimeNanoseconds
            let loss = step(batches[warmup + i])
            nanoseconds[i] = DispatchTime.now().uptimeNanoseconds - start
            losses[i] = loss
        }

        let milliseconds = nanoseconds.map { Double($0) * 1e-6 }.sorted()
        let median = Bench.median(milliseconds)
        let seconds = median * 1e-3
        let gflops = Double(workload.flopsPerStep) / seconds / 1e9
        return BenchResult(
            workload: workload.id.rawValue, name: workload.name, parameters: model.parameterCount, batch: workload.batch,
            targetLength: workload.targetLength, steps: steps, warmup: warmup, threads: threads, blasKernel: blasKernel, gemmPath: gemmPath, vectorKernels: vectorKernels,
            medianMilliseconds: median, minMilliseconds: milliseconds.first!, maxMilliseconds: milliseconds.last!,
            tokensPerSecond: Double(workload.tokensPerStep) / seconds, flopsPerStep: workload.flopsPerStep,
            gflopsPerSecond: gflops, sgemmPeakGFLOPS: peakGFLOPS, peakShare: peakGFLOPS > 0 ? gflops / peakGFLOPS : 0,
            firstLoss: Double(losses.first!), lastLoss: Double(losses.last!), losses: losses.map(Double.init),
            peakResidentBytes: peakResidentBytes())
    }

    /// The peak resident set size of this process so far (getrusage ru_maxrss), in bytes.
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)  // bytes on macOS
        #endif
    }

    // MARK: Text

    /// The columns of the text table, in order.
    static let columns: [(title: String, width: Int)] = [
        ("workload", 16), ("params", 8), ("steps", 5), ("median ms", 10), ("min-max ms", 15), ("tokens/s", 9),
        ("GFLOP/step", 10), ("GFLOP/s", 8), ("of peak", 7), ("loss first -> last", 18), ("peak RSS MB", 11),
    ]

    /// The header of the text table (two lines).
    public static func tableHeader() -> String {
        let titles = columns.enumerated().map { i, column in pad(column.title, column.width, left: i == 0) }
        let rule = columns.map { String(repeating: "-", count: $0.width) }
        return titles.joined(separator: "  ") + "\n" + rule.joined(separator: "  ")
    }

    /// One row of the text table.
    public static func tableRow(_ r: BenchResult) -> String {
        let cells = [
            "\(r.workload) \(r.name)",
            "\(r.parameters)",
            "\(r.steps)",
            String(format: "%.1f", r.medianMilliseconds),
            String(format: "%.1f-%.1f", r.minMilliseconds, r.maxMilliseconds),
            String(format: "%.0f", r.tokensPerSecond),
            String(format: "%.2f", Double(r.flopsPerStep) / 1e9),
            String(format: "%.1f", r.gflopsPerSecond),
            String(format: "%.0f%%", 100 * r.peakShare),
            String(format: "%.4f -> %.4f", r.firstLoss, r.lastLoss),
            String(format: "%.1f", Double(r.peakResidentBytes) / 1_048_576),
        ]
        return zip(columns, cells).enumerated().map { i, pair in pad(pair.1, pair.0.width, left: i == 0) }.joined(separator: "  ")
    }

    /// The workloads without running them: parameters (of the models built), shapes, FLOPs per step
    /// against the definitions' rounded totals (docs/performance.md).
    public static func listing(_ workloads: [BenchWorkloadInfo]) -> String {
        var lines = [[pad("workload", 16, left: true), pad("params", 8), pad("batch", 5), pad("source", 6), pad("target", 6),
                      pad("GFLOP/step", 10), pad("defined as", 10), "what"].joined(separator: "  ")]
        for w in workloads {
            lines.append([pad("\(w.workload) \(w.name)", 16, left: true), pad("\(w.parameters)", 8), pad("\(w.batch)", 5),
                          pad("\(w.sourceLength)", 6), pad("\(w.targetLength)", 6),
                          pad(String(format: "%.3f", Double(w.flopsPerStep) / 1e9), 10),
                          pad(String(format: w.referenceGFLOP < 1 ? "~%.3f" : "~%.1f", w.referenceGFLOP), 10), w.summary].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `text` padded with spaces to `width` (on the right when `left`), as the text tables of both benches.
    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        guard text.count < width else { return text }
        let fill = String(repeating: " ", count: width - text.count)
        return left ? text + fill : fill + text
    }
}

/// A workload whose model is not the one its definition (docs/performance.md) describes.
public struct BenchError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
