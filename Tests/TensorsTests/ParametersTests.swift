import Tensors
import TestSupport

import XCTest

final class ParametersTests: XCTestCase {
    // Deliberately not in alphabetical order: the layout must follow insertion order.
    private let shapes: [(name: String, shape: [Int])] = [
        ("wte", [5, 3]), ("ln.bias", [3]), ("scale", []), ("empty", [0, 4]), ("attn.weight", [3, 2, 2]),
    ]

    func testOffsetsAreContiguousInInsertionOrder() {
        let parameters = ParameterSet(shapes)
        XCTAssertEqual(parameters.names, ["wte", "ln.bias", "scale", "empty", "attn.weight"])
        XCTAssertEqual(parameters.slices.map(\.offset), [0, 15, 18, 19, 19])
        XCTAssertEqual(parameters.slices.map(\.count), [15, 3, 1, 0, 12])
        XCTAssertEqual(parameters.slices.map(\.shape), shapes.map(\.shape))
        for (previous, next) in zip(parameters.slices, parameters.slices.dropFirst()) {
            XCTAssertEqual(next.offset, previous.offset + previous.count, "gap before \(next.name)")
        }
    }

    func testCountIsTheSumOfTheShapes() {
        let parameters = ParameterSet(shapes)
        XCTAssertEqual(parameters.count, 31)
        XCTAssertEqual(parameters.values.count, 31)
        XCTAssertEqual(parameters.gradients.count, 31)
        XCTAssertEqual(ParameterSet([]).count, 0)
    }

    func testPointersAddressTheirSliceOfTheFlatBuffers() {
        let parameters = ParameterSet(shapes)
        let bias = parameters.pointer(for: "ln.bias")
        for i in 0..<3 { bias[i] = Float(i + 1) }
        parameters.gradientPointer(for: "attn.weight")[11] = 7
        XCTAssertEqual(Array(parameters.values.array[15..<18]), [1, 2, 3])
        XCTAssertEqual(parameters.values(of: "ln.bias"), [1, 2, 3])
        XCTAssertEqual(parameters.gradients[30], 7)
        XCTAssertEqual(parameters.values.array.filter { $0 != 0 }.count, 3, "writes leaked outside the slice")

        parameters.setValues(of: "scale", to: [0.5])
        XCTAssertEqual(parameters.values[18], 0.5)
        XCTAssertEqual(parameters.slice(named: "scale")?.offset, 18)
        XCTAssertNil(parameters.slice(named: "missing"))
    }

    func testZeroGradientsZeroesEveryGradientAndNoValue() {
        let parameters = ParameterSet(shapes)
        parameters.gradients.fill(3)
        parameters.values.fill(2)
        parameters.zeroGradients()
        XCTAssertEqual(parameters.gradients.array, [Float](repeating: 0, count: 31))
        XCTAssertEqual(parameters.values.array, [Float](repeating: 2, count: 31))
    }

    func testLayoutGivesTheOffsetsTheSetUses() {
        var layout = ParameterLayout()
        let first = layout.add("a", shape: [2, 3])
        let second = layout.add("b", shape: [4])
        XCTAssertEqual([first.offset, second.offset], [0, 6])
        XCTAssertEqual(layout.count, 10)
        let parameters = ParameterSet(layout)
        XCTAssertEqual(parameters.slices, layout.slices)
        parameters.setValues(of: "b", to: [1, 2, 3, 4])
        XCTAssertEqual(parameters.value(second)[3], 4)
        parameters.gradient(first)[5] = 7
        XCTAssertEqual(parameters.gradients[5], 7)
    }
}
