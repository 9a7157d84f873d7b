import Foundation
import XCTest

/// End-to-end: the real `ablate doctor`.
final class DoctorCommandTests: XCTestCase {
    struct Report: Decodable {
        struct Check: Decodable { var name: String; var value: String; var ok: Bool; var fix: String?; var note: String? }
        var checks: [Check]
        var openBLASVersion: String
        var kernel: String
        var kernelChoice: String
        var bestKernel: String?
        var verified: Bool
        var threads: Int
        var cores: Int
        var gflopsOneThread: Double
        var gflopsAllCores: Double
        var gnuplot: String?
        var sqlite: String?
        var cpu: String
    }

    private func doctor(_ extra: [String] = [], environment: [String: String?] = [:]) throws -> (Int32, Report) {
        let result = try AblateBinary.run(["doctor", "--json", "--size", "192"] + extra, environment: environment)
        let report = try JSONDecoder().decode(Report.self, from: Data(result.standardOutput.utf8))
        return (result.status, report)
    }

    func testDoctorReportsAVerifiedNonGenericKernelAndTheTools() throws {
        let (status, report) = try doctor(environment: ["OPENBLAS_CORETYPE": nil])
        XCTAssertEqual(report.openBLASVersion.split(separator: ".").count, 3, "a version like 0.3.21, got \(report.openBLASVersion)")
        XCTAssertTrue(report.verified)
        XCTAssertEqual(report.threads, 1, "one BLAS thread by default")
        XCTAssertGreaterThan(report.gflopsOneThread, 0)
        XCTAssertGreaterThan(report.gflopsAllCores, 0)
        XCTAssertNotNil(report.gnuplot, "the test machine has gnuplot (scripts/install-deps)")
        XCTAssertNotNil(report.sqlite)
        if let best = report.bestKernel {
            XCTAssertEqual(report.kernel.lowercased(), best.lowercased(), "the kernel chosen from the CPU is the one running")
        }
        // Exit status agrees with the checks, and every failed check carries a fix.
        XCTAssertEqual(status == 0, report.checks.allSatisfy(\.ok), "\(report.checks.filter { !$0.ok })")
        for check in report.checks where !check.ok { XCTAssertNotNil(check.fix, check.name) }
        XCTAssertEqual(report.checks.first { $0.name == "BLAS kernel" }?.ok, true)
    }

    func testAForcedGenericKernelFailsWithAFix() throws {
        let (status, report) = try doctor(environment: ["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(report.kernel, "Prescott", "the user's choice is respected")
        XCTAssertEqual(report.kernelChoice, "OPENBLAS_CORETYPE from the environment")
        guard let best = report.bestKernel, best != "Prescott" else {
            // What remains is the failure, and there is none to see: Prescott is right on such a CPU.
            throw XCTSkip("this CPU has no kernel better than Prescott (best: \(report.bestKernel ?? "not chosen by ablate off x86-64")), so forcing it is no mistake")
        }
        XCTAssertEqual(status, 1)
        let kernelCheck = try XCTUnwrap(report.checks.first { $0.name == "BLAS kernel" })
        XCTAssertFalse(kernelCheck.ok)
        XCTAssertTrue(kernelCheck.fix?.contains("OPENBLAS_CORETYPE") ?? false, kernelCheck.fix ?? "no fix")
    }

    /// A kernel forced by the environment that is not generic but not the best either passes, with a note.
    func testAnOlderKernelFromTheEnvironmentPassesWithANote() throws {
        let (status, report) = try doctor(environment: ["OPENBLAS_CORETYPE": "Sandybridge"])
        XCTAssertEqual(report.kernel, "Sandybridge", "the user's choice is respected")
        let kernelCheck = try XCTUnwrap(report.checks.first { $0.name == "BLAS kernel" })
        XCTAssertTrue(kernelCheck.ok)
        guard let best = report.bestKernel, best.lowercased() != "sandybridge",
              !["prescott", "core2", "nehalem"].contains(best.lowercased()) else {
            return XCTAssertNil(kernelCheck.note, "nothing better on this CPU")
        }
        XCTAssertEqual(status, 0, "\(report.checks.filter { !$0.ok })")
        let note = try XCTUnwrap(kernelCheck.note)
        XCTAssertTrue(note.contains("OPENBLAS_CORETYPE=Sandybridge") && note.contains(best), note)

        let text = try AblateBinary.run(["doctor", "--size", "64"], environment: ["OPENBLAS_CORETYPE": "Sandybridge"])
        XCTAssertTrue(text.standardOutput.contains("note: OPENBLAS_CORETYPE=Sandybridge"), text.standardOutput)
    }

    func testMissingOpenBLASFallsBackAndFails() throws {
        let (status, report) = try doctor(["--size", "64"], environment: ["ABLATE_OPENBLAS": "/nonexistent/libopenblas.so.0"])
        XCTAssertEqual(status, 1)
        XCTAssertFalse(report.verified)
        let check = try XCTUnwrap(report.checks.first { $0.name == "OpenBLAS" })
        XCTAssertFalse(check.ok)
        XCTAssertTrue(check.value.contains("/nonexistent/libopenblas.so.0"), check.value)
        XCTAssertTrue(check.fix?.contains("apt-get install libopenblas-dev") ?? false)
        XCTAssertGreaterThan(report.gflopsOneThread, 0, "the built-in GEMM still computes")
    }

    func testTextOutputAndBadArguments() throws {
        let text = try AblateBinary.run(["doctor", "--size", "64"])
        XCTAssertTrue(text.standardOutput.contains("BLAS kernel"))
        XCTAssertTrue(text.standardOutput.contains("GFLOP/s"))

        let bad = try AblateBinary.run(["doctor", "--size", "3"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.standardError.contains("--size must be between 16 and 8192"), bad.standardError)

        let help = try AblateBinary.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.standardOutput.contains("doctor"))
    }
}
