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

    /// The features each kernel runs on (OpenBLAS's kernels, as `testChoicesFollowTheFeatures` pins
    /// them), in the names Linux gives them in /proc/cpuinfo.
    private static let kernelNeeds: [String: Set<String>] = [
        "SkylakeX": ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx2", "fma", "avx"],
        "Haswell": ["avx2", "fma", "avx"], "Zen": ["avx2", "fma", "avx"], "Sandybridge": ["avx"],
        "Nehalem": ["sse4_2", "popcnt"], "Core2": ["ssse3"], "Prescott": [],
    ]

    /// The flags of the first processor in /proc/cpuinfo: what the CPU has and the kernel lets
    /// programs use (Linux drops AVX and AVX-512 when it does not save their registers).
    private func linuxFlags() throws -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else {
            throw XCTSkip("no /proc/cpuinfo flags to compare with")
        }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// ablate's CPUID reading agrees with Linux's, an independent one, feature by feature; the kernel
    /// chosen for this CPU needs nothing Linux does not list.
    func testThisCPUsFeaturesAreTheOnesLinuxReports() throws {
        #if arch(x86_64) && os(Linux)
        let flags = try linuxFlags()
        let detected = ablate_cpu_detect()
        let pairs: [(String, Int32)] = [
            ("pni", detected.sse3), ("ssse3", detected.ssse3), ("sse4_1", detected.sse41), ("sse4_2", detected.sse42),
            ("popcnt", detected.popcnt), ("avx", detected.avx), ("avx2", detected.avx2), ("fma", detected.fma),
            ("avx512f", detected.avx512f), ("avx512dq", detected.avx512dq), ("avx512cd", detected.avx512cd),
            ("avx512bw", detected.avx512bw), ("avx512vl", detected.avx512vl), ("avx512_bf16", detected.avx512bf16),
        ]
        for (flag, bit) in pairs {
            XCTAssertEqual(bit == 1, flags.contains(flag), "\(flag): ablate reads \(bit), /proc/cpuinfo \(flags.contains(flag) ? "lists" : "does not list") it")
        }
        let best = try XCTUnwrap(ablate_cpu_best_coretype().map { String(cString: $0) })
        let needs = try XCTUnwrap(Self.kernelNeeds[best], "an unknown kernel \(best)")
        XCTAssertTrue(needs.isSubset(of: flags), "\(best) needs \(needs.subtracting(flags).sorted()), which this CPU lacks")
        #else
        throw XCTSkip("compares with Linux's /proc/cpuinfo on x86-64")
        #endif
    }
}
