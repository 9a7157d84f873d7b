import Foundation
import Training
import XCTest
@testable import Inspection

/// Inspection's own unit tests: what doctor, eval, reproduce and report print, the options they
/// check before opening anything, and the figures drawn without a stored run.
final class InspectionTextTests: XCTestCase {
    func testDoctorLinesAlignNamesAndPutFixesAndNotesUnderTheirCheck() throws {
        var report = try JSONDecoder().decode(DoctorReport.self, from: Data(Self.doctorJSON.utf8))
        XCTAssertEqual(report.lines, [
            "ok    blas     OpenBLAS 0.3.21",
            "FAIL  gnuplot  missing",
            "               fix: apt-get install gnuplot-nox",
            "ok    sgemm    90 GFLOP/s",
            "               note: one thread",
            "\nSome checks failed; see the fixes above.",
        ])
        report.checks[1].ok = true
        XCTAssertEqual(report.lines.last, "\nEverything ablate needs is in place.")
    }

    static let doctorJSON = """
        {"checks": [{"name": "blas", "value": "OpenBLAS 0.3.21", "ok": true},
                    {"name": "gnuplot", "value": "missing", "ok": false, "fix": "apt-get install gnuplot-nox"},
                    {"name": "sgemm", "value": "90 GFLOP/s", "ok": true, "note": "one thread"}],
         "openBLASVersion": "0.3.21", "kernel": "Haswell", "kernelChoice": "env", "verified": true, "threads": 1, "cores": 2,
         "gflopsOneThread": 90, "gflopsAllCores": 170, "gemmSize": 256,
         "swift": "6.3", "cpu": "x", "operatingSystem": "Debian"}
        """

    func testEvalLengthTakesASizeOrARangeAndNothingElse() {
        XCTAssertEqual(StoredRun.sizes(fromLength: "24"), 24...24)
        XCTAssertEqual(StoredRun.sizes(fromLength: "16...32"), 16...32)
        for bad in ["", "32...16", "4...8...9", "a", "16..32", "-"] {
            XCTAssertNil(StoredRun.sizes(fromLength: bad), bad)
        }
    }

    func testEvalOptionsAreRefusedBeforeAnythingIsOpened() {
        XCTAssertThrowsError(try StoredRun.checkEvaluationOptions(sizes: 4...8, perSize: 0)) { XCTAssertTrue("\($0)".contains("--examples")) }
        XCTAssertThrowsError(try StoredRun.checkEvaluationOptions(sizes: 0...8, perSize: 1)) { XCTAssertTrue("\($0)".contains("--length")) }
        XCTAssertThrowsError(try StoredRun.checkEvaluationOptions(sizes: 1...Int.max, perSize: 2)) { XCTAssertTrue("\($0)".contains("at most")) }
        XCTAssertNoThrow(try StoredRun.checkEvaluationOptions(sizes: 1...1000, perSize: 1000))
    }

    func testEvaluationLinesShowEachSliceInOrderThenAll() {
        var evaluation = Evaluation()
        var m = Metrics()
        m.examples = 2; m.tokens = 4; m.lossSum = 2; m.correctTokens = 3; m.exactMatches = 1
        evaluation.slices["length=12"] = m
        evaluation.slices["length=3"] = m
        evaluation.overall = m
        let lines = StoredRun.evaluationLines(evaluation, title: "v seed 3 (0123456789abcdef)")
        XCTAssertEqual(lines[0], "v seed 3 (0123456789abcdef)")
        XCTAssertEqual(lines[1], "  length=3  loss 0.5000  token accuracy 0.7500  exact match 0.5000  (2 examples)")
        XCTAssertTrue(lines[2].hasPrefix("  length=12  "), lines[2])
        XCTAssertEqual(lines[3], "  all      loss 0.5000  token accuracy 0.7500  exact match 0.5000  (2 examples)")
    }

    func testReproductionVerdictNamesTheFirstDifference() {
        XCTAssertEqual(StoredRun.Reproduction(compared: 12, firstDifference: nil).verdict(key: "0123456789abcdef99"),
                       "identical: all 12 stored metrics and slices of 0123456789abcdef reproduced bit for bit")
        XCTAssertEqual(StoredRun.Reproduction(compared: 3, firstDifference: "test loss at step 5").verdict(key: "k"),
                       "DIFFERENT: test loss at step 5 (after 3 identical values)")
    }

    func testMemoryBudgetRefusesWhatIsOverHalfTheMemoryAndSaysWhatToChange() {
        XCTAssertEqual(MemoryBudget.format(999), "999 bytes")
        XCTAssertEqual(MemoryBudget.format(1_500_000_000), "1.5 GB")
        XCTAssertNoThrow(try MemoryBudget.check(1000, for: "x", change: "y"))
        XCTAssertThrowsError(try MemoryBudget.check(MemoryBudget.limit * 1.01, for: "evaluating", change: "give fewer --examples")) {
            XCTAssertTrue("\($0)".hasPrefix("evaluating needs about "), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix(": give fewer --examples"), "\($0)")
        }
    }

    func testPositionalFiguresOfASinusoidalTableAndRefusalsOfKindsWithoutOne() throws {
        let figures = try MatrixFigures.positional(kind: "sinusoidal", length: 10, modelSize: 6)
        XCTAssertEqual(figures.count, 2)
        let table = figures[0].heatmap
        XCTAssertEqual(table.rows.count, 10)
        XCTAssertEqual(table.rows[0].count, 6)
        XCTAssertEqual(table.rows[3][0], sin(3), accuracy: 1e-6, "position 3, dimension 0 is sin(3)")
        XCTAssertEqual(table.rows[3][1], cos(3), accuracy: 1e-6)
        let similarity = figures[1].heatmap
        XCTAssertEqual(similarity.rows[4][4], 1, accuracy: 1e-6, "a position is not most similar to itself")
        for kind in ["rope", "alibi", "none", "learned", "bogus"] {
            XCTAssertThrowsError(try MatrixFigures.positional(kind: kind, length: 10, modelSize: 6), kind)
        }
    }
}
