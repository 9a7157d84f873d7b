import XCTest
import Tensors

final class BLASTests: XCTestCase {
    func testOpenBLASLoadsAndPassesVerification() {
        let status = BLAS.status
        XCTAssertTrue(status.loaded, status.loadError ?? "")
        XCTAssertTrue(status.verified, status.verificationFailure ?? "")
        XCTAssertTrue(status.usingOpenBLAS)
        XCTAssertFalse(status.kernel.isEmpty)
        XCTAssertFalse(status.version.isEmpty, "version parsed from \(status.config)")
        XCTAssertLessThan(status.verificationError, 1e-4)
    }

    func testKernelIsTheOneChosenFromTheCPU() throws {
        let status = BLAS.status
        guard status.kernelChoice == .cpuFeatures, let best = status.bestKernel else {
            throw XCTSkip("kernel not chosen by ablate here: \(status.kernelChoice.rawValue)")
        }
        XCTAssertEqual(status.kernel.lowercased(), best.lowercased(), "OpenBLAS runs \(status.kernel), ablate asked for \(best)")
        XCTAssertFalse(status.kernelIsGeneric)
    }

    func testThreadCountIsExplicitAndSettable() {
        XCTAssertEqual(BLAS.threads, 1, "the default is one BLAS thread")
        BLAS.setThreads(2)
        XCTAssertEqual(BLAS.threads, 2)
        BLAS.setThreads(1)
        XCTAssertEqual(BLAS.threads, 1)
    }

    func testGenericKernelDetection() {
        var status = BLAS.status
        status.loaded = true
        status.kernel = "Prescott"
        status.bestKernel = "SkylakeX"
        XCTAssertTrue(status.kernelIsGeneric)
        status.bestKernel = "Prescott"
        XCTAssertFalse(status.kernelIsGeneric, "generic is right when the CPU supports nothing better")
        status.kernel = "Haswell"
        status.bestKernel = "SkylakeX"
        XCTAssertFalse(status.kernelIsGeneric)
    }
}
