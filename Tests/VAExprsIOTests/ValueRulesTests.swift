import Foundation
import Testing
import VAExprsCore

@testable import VAExprsIO

/// The writers' value check: its branch-free pass agrees with the value-by-value rule, and
/// every kind of bad value is named.
@Suite struct ValueRulesTests {
    func block(_ values: [Float]) -> CellBlock {
        CellBlock(cellIDs: ["c1", "c2"], values: Matrix(rows: 2, columns: values.count / 2, storage: values))
    }

    @Test func theFastPassAgreesWithTheRuleValueByValue() {
        let largest = Double(Int32.max)
        let samples: [Float] = [
            0, 1, 2, 7, 8_388_607, 8_388_608, 8_388_609, 16_777_216, 2_147_483_520, 0.5, 1.5, 8_388_607.5, -1, -0.0,
            2_147_483_648, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, 1e-3, 3.999_999_8
        ]
        for value in samples {
            for counts in [true, false] {
                for limit in [largest, .infinity] {
                    let rule = value.isFinite && (!counts || CountRange.contains(value, largest: limit))
                    let fast = [value].withUnsafeBufferPointer {
                        ValueRules.allPass($0, counts: counts, largest: limit)
                    }
                    #expect(fast == rule, "\(value) counts \(counts) largest \(limit)")
                }
            }
        }
    }

    @Test func badValuesAreNamedAndGoodOnesPass() throws {
        let genes = ["g1", "g2"]
        try ValueRules.check(
            block([0, 3, 8_388_609, 2_000_000_000]), genes: genes, counts: true, largest: Double(Int32.max),
            format: ".h5ad", path: "out.h5ad")
        let cases: [(Float, String)] = [
            (0.5, "not a whole count"), (-2, "not a whole count"), (.infinity, "not a finite number"),
            (.nan, "not a finite number"), (2_147_483_648, "more than .h5ad holds")
        ]
        for (bad, message) in cases {
            let error = #expect(throws: VAExprsError.self) {
                try ValueRules.check(
                    block([0, 3, 4, bad]), genes: genes, counts: true, largest: Double(Int32.max), format: ".h5ad",
                    path: "out.h5ad")
            }
            let text = "\(error.map { "\($0)" } ?? "")"
            #expect(text.contains(message) && text.contains("cell 'c2', gene 'g2'"), "\(bad): \(text)")
        }
    }
}
