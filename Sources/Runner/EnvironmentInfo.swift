import Foundation
import Tensors

/// The facts recorded with every run, so a result can be traced to the code and machine that made it.
public enum EnvironmentInfo {
    /// Key/value pairs: git commit and dirty flag (of the working directory's repository; dirty: changes
    /// outside results/, reports/, plots/, experiments/, docs/ and Markdown files), Swift,
    /// OpenBLAS version, kernel and threads, the GEMM path (`GEMMPath`), the C kernels' instruction set, CPU, cores, host and OS.
    public static func collect(directory: String = FileManager.default.currentDirectoryPath) -> [String: String] {
        let blas = BLAS.status
        var facts: [String: String] = [
            "swift": SystemInfo.swiftVersion,
            "openblas": blas.loaded ? blas.version : "not loaded",
            "blas_kernel": blas.usingOpenBLAS ? blas.kernel : "built-in GEMM",
            "gemm": GEMMPath.current.rawValue,
            "blas_threads": String(BLAS.threads),
            "vector_kernels": VectorKernels.level.name,
            "cpu": SystemInfo.cpuModel(),
            "cores": String(SystemInfo.cores),
            "host": SystemInfo.host,
            "os": SystemInfo.operatingSystem(),
        ]
        if let git = SystemInfo.which("git") {
            let commit = SystemInfo.output(of: git, ["-C", directory, "rev-parse", "HEAD"])
            facts["git_commit"] = commit ?? "none"
            if commit != nil {
                // Uncommitted changes that could change a result: not the outputs ablate itself writes
                // (results/, reports/, plots/: scripts/experiments rewrites them between experiments),
                // nor the experiment files and docs (a run's configuration is stored with it).
                let status = SystemInfo.output(of: git, ["-C", directory, "status", "--porcelain", "--untracked-files=no", "--"]
                                               + Self.dirtyPathspec) ?? ""
                facts["git_dirty"] = status.isEmpty ? "false" : "true"
            }
        } else {
            facts["git_commit"] = "none"
        }
        return facts
    }

    /// A setting of the environment that the process cannot start with (an ABLATE_GEMM naming no
    /// path), as a message naming the variable, what it takes and what it holds.
    public static var startProblem: String? { GEMMPath.environmentProblem }

    /// What `git_dirty` looks at: the repository but the folders of outputs, experiment files and documentation.
    static let dirtyPathspec = [".", ":(exclude)results", ":(exclude)reports", ":(exclude)plots", ":(exclude)experiments",
                                ":(exclude)docs", ":(exclude)*.md"]
}
