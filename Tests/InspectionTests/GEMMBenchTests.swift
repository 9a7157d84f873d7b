import XCTest
@testable import Inspection

/// `ablate bench --gemm`'s list of products and one timed row (the timings themselves are not tested).
final class GEMMBenchTests: XCTestCase {
    func testEveryLayerGivesItsForwardInputGradientAndWeightGradient() {
        let products = GEMMBench.products
        XCTAssertEqual(products.count, 3 * GEMMBench.layers.count)
        for (index, layer) in GEMMBench.layers.enumerated() {
            let forward = products[3 * index], input = products[3 * index + 1], weight = products[3 * index + 2]
            XCTAssertEqual([forward.transposes, input.transposes, weight.transposes], ["NT", "NN", "TN"])
            XCTAssertEqual([forward.m, forward.n, forward.k], [layer.rows, layer.outputs, layer.inputs], "x W^T")
            XCTAssertEqual([input.m, input.n, input.k], [layer.rows, layer.inputs, layer.outputs], "dY W")
            XCTAssertEqual([weight.m, weight.n, weight.k], [layer.outputs, layer.inputs, layer.rows], "dY^T X")
        }
        // the shapes the experiments run, the reference workloads', the RNN's per step and attention's per head
        for shape in [[384, 64, 64], [416, 192, 64], [832, 64, 256], [2048, 512, 128], [4096, 128, 128], [32, 384, 192], [12, 12, 16], [26, 26, 16]] {
            XCTAssertTrue(GEMMBench.layers.contains { [$0.rows, $0.outputs, $0.inputs] == shape }, "\(shape)")
        }
    }

    func testARowTimesEveryImplementationAndChecksTheirBits() {
        let product = GEMMBench.Product(product: "x W^T", transposeA: false, transposeB: true, m: 12, n: 12, k: 16)
        let result = GEMMBench.run(product, repetitions: 3)
        XCTAssertTrue(result.sameBits, "every level and the pre-transposed call give the same bits")
        XCTAssertGreaterThan(result.openBLASGFLOPS, 0)
        XCTAssertEqual(Set(result.orderedGFLOPS.keys), Set(GEMMBench.levels.map(\.name)))
        XCTAssertTrue(result.orderedGFLOPS.values.allSatisfy { $0 > 0 })
        XCTAssertNotNil(result.preTransposedGFLOPS)
        XCTAssertEqual(result.repetitions, 3)
        let row = GEMMBench.tableRow(result)
        XCTAssertTrue(row.hasPrefix("x W^T    NT     12     12     16"), row)
        XCTAssertTrue(row.hasSuffix("same"), row)
        XCTAssertEqual(GEMMBench.tableHeader().split(separator: "\n").count, 2)
    }
}
