// swift-tools-version:6.0
// The package layout follows the design notes (README.md, "Layout"): one target per part, dependencies only point down the list.
import PackageDescription

// Opt-in code generation for a CPU family, for the vectorised kernels (Tensors, Layers, Models, Training):
// `ABLATE_TARGET_CPU=haswell swift build -c release` lets the 8-lane SIMD code use AVX2 (one register
// instead of two SSE halves; W3 about 22% faster, see docs/performance.md). Such a binary stops with an
// illegal instruction on a CPU without AVX2, so the default build stays portable (baseline x86-64).
let kernelSettings: [SwiftSetting] = Context.environment["ABLATE_TARGET_CPU"].map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "ablate",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ablate", targets: ["ablate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Settings: one descriptor per setting (key, type and range, default, doc), their checks and their JSON coding.
        .target(name: "Settings"),
        // The OpenBLAS C interface, loaded at run time so that the kernel can be chosen before the library initialises.
        .target(
            name: "CBLAS",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        // Row kernels in C, compiled for AVX-512, AVX2 and baseline x86-64 and chosen at load (same results on each).
        // Optimised in debug builds too: the tests train through these kernels, and at -O0 the GEMM and the
        // row kernels run an order of magnitude slower (without fast-math, the bits are those of -O2).
        .target(name: "CKernels", dependencies: ["CBLAS"], cSettings: [.unsafeFlags(["-O2"])]),
        // Float32 storage, GEMM (OpenBLAS + naive twin), kernels with their backward passes, the seeded RNG.
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], swiftSettings: kernelSettings),
        // Forward/backward pairs with parameters: linear, attention, feed-forward, norms, positions, RNN cells.
        .target(name: "Layers", dependencies: ["Tensors", "CKernels"], swiftSettings: kernelSettings),
        // Transformer (three layouts) and RNN seq2seq built from a config; decoding; checkpoints.
        .target(name: "Models", dependencies: ["Settings", "Layers", "Tensors"], swiftSettings: kernelSettings),
        // Synthetic long-dependency tasks: deterministic generators, splits, slices, chance levels.
        .target(name: "Tasks", dependencies: ["Tensors"]),
        // Optimizers, learning-rate schedules, gradient clipping.
        .target(name: "Training", dependencies: ["Settings", "Tensors", "CKernels", "Models", "Tasks"], swiftSettings: kernelSettings),
        // Experiment files: the TOML schema, validation with file:line messages, sweep expansion, run keys.
        .target(name: "Experiments", dependencies: ["Settings", "Training", "Models", "Tasks", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The SQLite store (GRDB).
        .target(name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // Figures: gnuplot scripts built as text from plain records, rendered to PNG and SVG.
        .target(name: "Plots", dependencies: []),
        // Statistics across seeds, tables, Markdown and HTML reports, from plain records.
        .target(name: "Reports", dependencies: ["Store", "Plots"]),
        // Orchestration: sweeps, workers and their observers, progress, resume, shards and Slurm arrays
        // (Reports only for its escaping of text shown on terminals and in scripts).
        .target(name: "Runner", dependencies: ["Tensors", "Layers", "Models", "Tasks", "Training", "Experiments", "Store", "Reports"]),
        // Inspection of the machine and of stored runs: doctor, bench, predict, reproduce, eval, task listings, and the inputs
        // of reports and figures. Plots and Reports sit below it (they see only plain records), so it can hand them what they draw.
        .target(name: "Inspection", dependencies: ["Runner", "Tensors", "Layers", "Models", "Tasks", "Training", "Experiments", "Store", "Plots", "Reports"]),
        // The command-line interface: argument parsing and exit codes only.
        .executableTarget(
            name: "ablate",
            dependencies: ["Runner", "Inspection", "Tasks", "Plots", "Reports", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "Models", "Training"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "CBLAS", "CKernels", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors", "CKernels", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Layers", "Tensors", "Training", "TestSupport"], exclude: ["python"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Tensors", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Tensors", "Models", "Tasks", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Training", "Models", "Tasks"], exclude: ["malformed", "valid"]),
        .testTarget(name: "AblateTests", dependencies: ["TestSupport", "Models", "Tensors"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Experiments", "Store", "Training", "TestSupport"]),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Store", "Training", "Plots"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Store", "Plots", "TestSupport", "Training", "Models"]),
    ]
)
