import Foundation
import Training
import XCTest

final class ScheduleTests: XCTestCase {
    private func assertRate(_ schedule: LearningRateSchedule, at step: Int, _ expected: Double,
                            file: StaticString = #filePath, line: UInt = #line) {
        let rate = Double(schedule.learningRate(at: step))
        XCTAssertEqual(rate, expected, accuracy: 1e-6 * abs(expected) + 1e-12, "\(schedule) at step \(step)", file: file, line: line)
    }

    /// Checks rate(s) <= rate(s + 1) (increasing) or >= (decreasing) for s in `steps`.
    private func assertMonotonic(_ schedule: LearningRateSchedule, _ steps: ClosedRange<Int>, increasing: Bool,
                                 file: StaticString = #filePath, line: UInt = #line) {
        for s in steps.lowerBound..<steps.upperBound {
            let a = schedule.learningRate(at: s), b = schedule.learningRate(at: s + 1)
            guard increasing ? a <= b : a >= b else {
                return XCTFail("\(schedule) not monotonic at step \(s): \(a) then \(b)", file: file, line: line)
            }
        }
    }

    func testConstant() {
        let schedule = LearningRateSchedule.constant(learningRate: 3e-4)
        for step in [0, 1, 1000] { assertRate(schedule, at: step, Double(Float(3e-4))) }
    }

    func testLinearWarmup() {
        let schedule = LearningRateSchedule.linearWarmup(peak: 0.1, warmup: 10)
        assertRate(schedule, at: 0, 0)
        assertRate(schedule, at: 1, 0.01)
        assertRate(schedule, at: 5, 0.05)
        assertRate(schedule, at: 10, 0.1)
        assertRate(schedule, at: 500, 0.1)
        assertMonotonic(schedule, 0...10, increasing: true)
        assertRate(.linearWarmup(peak: 0.1, warmup: 0), at: 0, 0.1)
    }

    func testThePapersSchedule() {
        // lr = d^-0.5 * min(step^-0.5, step * warmup^-1.5), d = 512, warmup = 4000.
        let schedule = LearningRateSchedule.noam(modelDimension: 512, warmup: 4000)
        let d = 512.0, w = 4000.0
        assertRate(schedule, at: 1, 1 / d.squareRoot() * 1 * pow(w, -1.5))
        assertRate(schedule, at: 4000, 1 / (d * w).squareRoot())                      // the peak, about 7.0e-4
        assertRate(schedule, at: 16000, 1 / (d * 16000).squareRoot())                 // half the peak
        XCTAssertEqual(schedule.learningRate(at: 4000), 6.98771e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.learningRate(at: 0), 0)
        assertMonotonic(schedule, 0...4000, increasing: true)
        assertMonotonic(schedule, 4000...20000, increasing: false)
    }

    func testWarmupThenInverseSquareRoot() {
        let schedule = LearningRateSchedule.inverseSquareRoot(peak: 1e-3, warmup: 100)
        assertRate(schedule, at: 0, 0)
        assertRate(schedule, at: 1, 1e-5)
        assertRate(schedule, at: 50, 5e-4)
        assertRate(schedule, at: 100, 1e-3)
        assertRate(schedule, at: 400, 5e-4)
        assertMonotonic(schedule, 0...100, increasing: true)
        assertMonotonic(schedule, 100...2000, increasing: false)
    }

    func testCosineWithWarmup() {
        let schedule = LearningRateSchedule.cosine(peak: 1e-3, minimum: 1e-4, warmup: 10, total: 110)
        assertRate(schedule, at: 0, 0)
        assertRate(schedule, at: 5, 5e-4)
        assertRate(schedule, at: 10, 1e-3)                                             // start of the decay
        assertRate(schedule, at: 35, 1e-4 + 9e-4 * (1 + cos(Double.pi / 4)) / 2)       // a quarter through
        assertRate(schedule, at: 60, 5.5e-4)                                           // the middle
        assertRate(schedule, at: 110, 1e-4)                                            // the end
        assertRate(schedule, at: 1000, 1e-4)                                           // after the end
        assertMonotonic(schedule, 0...10, increasing: true)
        assertMonotonic(schedule, 10...200, increasing: false)
        assertRate(.cosine(peak: 1, minimum: 0, warmup: 0, total: 10), at: 0, 1)
    }

    func testNoScheduleGivesNaNOrInfinity() {
        let schedules: [LearningRateSchedule] = [
            .constant(learningRate: 1), .linearWarmup(peak: 1, warmup: 0), .linearWarmup(peak: 1, warmup: 3),
            .noam(modelDimension: 64, warmup: 1), .inverseSquareRoot(peak: 1, warmup: 1),
            .cosine(peak: 1, minimum: 0, warmup: 0, total: 0), .cosine(peak: 1, minimum: 0.1, warmup: 5, total: 5),
        ]
        for schedule in schedules {
            for step in 0...20 {
                XCTAssertTrue(schedule.learningRate(at: step).isFinite, "\(schedule) at step \(step)")
            }
        }
    }

    func testCodableRoundTripAndDocumentedForm() throws {
        let schedules: [LearningRateSchedule] = [
            .constant(learningRate: 0.5), .linearWarmup(peak: 1, warmup: 2), .noam(modelDimension: 512, warmup: 4000),
            .inverseSquareRoot(peak: 1e-3, warmup: 10), .cosine(peak: 3e-4, minimum: 3e-5, warmup: 100, total: 5000),
        ]
        let decoded = try JSONDecoder().decode([LearningRateSchedule].self, from: JSONEncoder().encode(schedules))
        XCTAssertEqual(decoded, schedules)
        let written = #"{"cosine": {"peak": 3e-4, "minimum": 3e-5, "warmup": 100, "total": 5000}}"#
        XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: Data(written.utf8)), schedules[4])
    }

    func testValidateRejectsSchedulesThatCannotWork() {
        let bad: [LearningRateSchedule] = [
            .constant(learningRate: -1), .constant(learningRate: .nan), .linearWarmup(peak: 1, warmup: -1),
            .noam(modelDimension: 512, warmup: 0), .noam(modelDimension: 0, warmup: 10),
            .inverseSquareRoot(peak: 1, warmup: 0), .cosine(peak: 1, minimum: 2, warmup: 0, total: 10),
            .cosine(peak: 1, minimum: 0, warmup: 20, total: 10),
        ]
        for schedule in bad {
            XCTAssertThrowsError(try schedule.validate(), "\(schedule)") { error in
                XCTAssertTrue("\(error)".contains("invalid learning-rate schedule"), "\(error)")
            }
        }
        XCTAssertNoThrow(try LearningRateSchedule.cosine(peak: 1, minimum: 0, warmup: 10, total: 10).validate())
        XCTAssertNoThrow(try LearningRateSchedule.noam(modelDimension: 512, warmup: 4000).validate())
    }
}
