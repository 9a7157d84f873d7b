import CBLAS
import XCTest

/// The kernel ablate asks OpenBLAS for, from a CPU's features: never one the CPU cannot run.
final class KernelChoiceTests: XCTestCase {
    private func features(_ names: Set<String>) -> ablate_cpu_features_t {
        var f = ablate_cpu_features_t()
        f.sse3 = names.contains("sse3") ? 1 : 0
        f.ssse3 = names.contains("ssse3") ? 1 : 0
        f.sse41 = names.contains("sse4.1") ? 1 : 0
        f.sse42 = names.contains("sse4.2") ? 1 : 0
        f.popcnt = names.contains("popcnt") ? 1 : 0
        f.avx = names.contains("avx") ? 1 : 0
        f.avx2 = names.contains("avx2") ? 1 : 0
        f.fma = names.contains("fma") ? 1 : 0
        f.avx512f = names.contains("avx512f") ? 1 : 0
        f.avx512dq = names.contains("avx512dq") ? 1 : 0
        f.avx512cd = names.contains("avx512cd") ? 1 : 0
        f.avx512bw = names.contains("avx512bw") ? 1 : 0
        f.avx512vl = names.contains("avx512vl") ? 1 : 0
        f.amd = names.contains("amd") ? 1 : 0
        return f
    }

    private func choice(_ names: Set<String>) -> String? {
        ablate_coretype_for(features(names)).map { String(cString: $0) }
    }

    func testChoicesFollowTheFeatures() throws {
        #if arch(x86_64)
        let sse: Set<String> = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt"]
        let avx2 = sse.union(["avx", "avx2", "fma"])
        let avx512 = avx2.union(["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"])
        XCTAssertEqual(choice(avx512), "SkylakeX")
        XCTAssertEqual(choice(avx512.union(["amd"])), "SkylakeX", "Zen 4 runs the AVX-512 kernel")
        // Knights Landing has AVX-512F and CD but not BW, DQ or VL: the SkylakeX kernel would fault.
        XCTAssertEqual(choice(avx2.union(["avx512f", "avx512cd"])), "Haswell")
        XCTAssertEqual(choice(avx2), "Haswell")
        XCTAssertEqual(choice(avx2.union(["amd"])), "Zen")
        XCTAssertEqual(choice(sse.union(["avx", "avx2"])), "Sandybridge", "AVX2 without FMA")
        XCTAssertEqual(choice(sse.union(["avx"])), "Sandybridge")
        XCTAssertEqual(choice(sse), "Nehalem")
        XCTAssertEqual(choice(["sse3", "ssse3"]), "Core2")
        XCTAssertEqual(choice([]), "Prescott")
        #else
        throw XCTSkip("kernel choice is OpenBLAS's own off x86-64")
        #endif
    }

    func testThisCPUsChoiceIsConsistentWithItsFeatures() throws {
        #if arch(x86_64)
        let detected = ablate_cpu_detect()
        let best = String(cString: ablate_cpu_best_coretype())
        XCTAssertEqual(best, String(cString: ablate_coretype_for(detected)))
        if best == "SkylakeX" {
            XCTAssertEqual([detected.avx512f, detected.avx512dq, detected.avx512cd, detected.avx512bw, detected.avx512vl], [1, 1, 1, 1, 1])
        }
        // Features that need OS support imply it for the weaker ones too.
        if detected.avx512f == 1 { XCTAssertEqual(detected.avx, 1) }
        if detected.avx2 == 1 { XCTAssertEqual(detected.avx, 1) }
        #else
        throw XCTSkip("x86-64 only")
        #endif
    }
}
