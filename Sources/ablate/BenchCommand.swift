import ArgumentParser
import Foundation
import Inspection
import Runner

extension Ablate {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time training steps of the reference workloads (W1-W3) and the experiment-size ones (S1-S3) and report throughput.",
            discussion: """
            Runs the three reference workloads defined in docs/performance.md, the same steps the PyTorch and JAX peer \
            scripts time: W1 encdec, the paper's encoder-decoder Transformer (933,396 parameters, 2+2 layers, \
            d_model 128, post-LN, reverse 64 tokens); W2 decoder, a causal language model (814,868 parameters, \
            4 pre-LN layers, 128 tokens); W3 rnn, a GRU encoder-decoder with additive attention (238,740 \
            parameters, reverse 64 tokens). S1 encdec-small, S2 decoder-small and S3 rnn-small are the same \
            models at the size the experiment files use, where a step is small and everything outside the big matrix \
            products counts: S1 is W1 with d_model 64 and d_ff 256 on 12 tokens (237,332 parameters), S2 is W2 with \
            d_model 64, d_ff 256 and 2 layers on 26 tokens (104,340), S3 is W3 on 12 tokens (238,740). All batch 32, Float32, no dropout, teacher forcing, data generated \
            before the clock starts. A step is forward + backward + Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, \
            no weight decay, no clipping) on one batch.

            At start the process measures its single-thread sgemm rate (1024^3, as `ablate doctor`). For each \
            workload it prints the parameter count, the median, fastest and slowest step over the timed steps, \
            target tokens per second (batch x target length / median), the FLOPs of a step counted as \
            docs/performance.md says (2*m*n*k for every forward matrix product, attention scores dense even where \
            masked, times 3 for forward + backward), the GFLOP/s they make, the share of the sgemm peak, and \
            the losses of the first and last timed steps. See docs/performance.md.

            Bad options exit 2. Close other work first: timings on a busy machine mean little.
            """
        )

        @Option(help: "w1 | w2 | w3 | s1 | s2 | s3, by name (encdec, decoder, rnn, encdec-small, decoder-small, rnn-small), reference (W1-W3), small (S1-S3) or all.")
        var workload = "all"

        @Option(parsing: .unconditional, help: "Timed steps per workload (the definitions ask for at least 30).")
        var steps = "30"

        @Option(parsing: .unconditional, help: "Untimed steps before them.")
        var warmup = "3"

        @Option(parsing: .unconditional, help: "BLAS threads during the steps (the peak is always measured on one).")
        var threads = "1"

        @Option(parsing: .unconditional, help: "The single-thread sgemm peak in GFLOP/s to compare with, instead of measuring it (under a profiler such as valgrind, where measuring it is slow and meaningless).")
        var peak: String?

        @Flag(help: "Print the results as a JSON array of records.")
        var json = false

        @Flag(help: "Only list the workloads (parameters, shapes, FLOPs per step); time nothing.")
        var list = false

        // Hidden: the ordered GEMM (gemmOrdered) against OpenBLAS on the models' product shapes, for
        // deciding where to use it; not a workload, and its table may change with the kernel.
        @Flag(help: ArgumentHelp("Time the ordered GEMM against OpenBLAS on the models' product shapes instead of the workloads "
                                 + "(GFLOP/s, medians of interleaved repetitions; --threads sets OpenBLAS's threads, --json prints records).",
                                 visibility: .hidden))
        var gemm = false

        @Option(parsing: .unconditional, help: ArgumentHelp("Timed repetitions per product and implementation, with --gemm.", visibility: .hidden))
        var repetitions = "15"

        /// The options, checked, with messages that say the range.
        struct Settings {
            var workloads: [BenchWorkload]
            var steps: Int
            var warmup: Int
            var threads: Int
            var peak: Double?
        }

        func settings() throws -> Settings {
            func fail(_ message: String) -> Error { ValidationError(message) }
            func integer(_ text: String, _ option: String, _ range: ClosedRange<Int>) throws -> Int {
                guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    throw fail("\(option) takes a whole number, got \"\(text)\"")
                }
                guard range.contains(value) else {
                    throw fail("\(option) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
                }
                return value
            }
            let workloads: [BenchWorkload]
            switch workload.lowercased() {
            case "all": workloads = BenchWorkload.all
            case "reference": workloads = BenchWorkload.reference
            case "small": workloads = BenchWorkload.small
            default:
                guard let one = BenchWorkload.named(workload) else {
                    throw fail("--workload must be w1, w2, w3, s1, s2, s3, reference, small or all (or a name: encdec, decoder, rnn, "
                               + "encdec-small, decoder-small, rnn-small), got \"\(workload)\"")
                }
                workloads = [one]
            }
            var givenPeak: Double?
            if let peak {
                guard let value = Double(peak.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0 else {
                    throw fail("--peak takes a positive number of GFLOP/s, got \"\(peak)\"")
                }
                givenPeak = value
            }
            let cores = SystemInfo.cores
            return Settings(workloads: workloads,
                            steps: try integer(steps, "--steps", 1...100_000),
                            warmup: try integer(warmup, "--warmup", 0...10_000),
                            threads: try integer(threads, "--threads", 1...max(cores, 1)),
                            peak: givenPeak)
        }

        func run() throws {
            let settings = try settings()
            if gemm { return try runGEMM(threads: settings.threads) }
            if list {
                let infos = try settings.workloads.map { try BenchWorkloadInfo($0) }
                print(json ? try encode(infos) : Inspection.Bench.listing(infos))
                return
            }
            var standardError = FileHandle.standardError
            if settings.steps < Inspection.Bench.recommendedSteps {
                print("note: \(settings.steps) timed steps; the workload definitions ask for the median over at least \(Inspection.Bench.recommendedSteps)",
                      to: &standardError)
            }
            let peak = settings.peak ?? Inspection.Bench.measurePeak()
            if !json {
                print("sgemm peak \(Inspection.Bench.peakSize)^3, 1 thread: \(String(format: "%.1f", peak)) GFLOP/s\(settings.peak == nil ? "" : " (given)"); "
                      + "BLAS \(Inspection.Bench.blasKernel), GEMM path \(Inspection.Bench.gemmPath), \(settings.threads) thread(s) for the steps; vector kernels \(Inspection.Bench.vectorKernels); "
                      + "\(settings.steps) timed steps after \(settings.warmup) warm-up")
                print(Inspection.Bench.tableHeader())
            }
            var results: [BenchResult] = []
            for workload in settings.workloads {
                let result = try Inspection.Bench.run(workload, steps: settings.steps, warmup: settings.warmup, threads: settings.threads,
                                                  peakGFLOPS: peak)
                results.append(result)
                if !json { print(Inspection.Bench.tableRow(result)) }
            }
            if json { print(try encode(results)) }
        }

        /// `--gemm`: every product of `GEMMBench.products`, one table row (or JSON record) each.
        private func runGEMM(threads: Int) throws {
            guard let count = Int(repetitions.trimmingCharacters(in: .whitespaces)), (1...1000).contains(count) else {
                throw ValidationError("--repetitions must be a whole number between 1 and 1000, got \"\(repetitions)\"")
            }
            if !json {
                print(GEMMBench.preamble(repetitions: count, threads: threads))
                print("load average at start: \(GEMMBench.loadAverage())")
                print(GEMMBench.tableHeader())
            }
            // Untimed first: the first product timed on a cold process (clock ramping up, pages not yet
            // touched) runs slower than the same product later.
            _ = GEMMBench.run(GEMMBench.products[0], repetitions: 20, threads: threads)
            var results: [GEMMBenchResult] = []
            for product in GEMMBench.products {
                let result = GEMMBench.run(product, repetitions: count, threads: threads)
                results.append(result)
                if !json { print(GEMMBench.tableRow(result)) }
            }
            if json { print(try encode(results)) } else { print("load average at end: \(GEMMBench.loadAverage())") }
        }

        private func encode<T: Encodable>(_ value: T) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        }
    }
}
