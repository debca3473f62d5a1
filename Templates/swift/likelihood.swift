import Foundation

/// A Gaussian of unit variance around the decoder output: −log p = ½(x − y)² + ½ log 2π.
final class UnitGaussian: Likelihood {
    let spec: ComponentSpec
    var parameters: [Parameter] { [] }
    var defaultDecodeMode: DecodeMode { .sample }

    init(spec: ComponentSpec) { self.spec = spec }

    func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {}

    func evaluate(
        output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float
    ) -> LikelihoodEvaluation {
        var total = 0.0
        var g = gradient ? Matrix(rows: output.rows, columns: output.columns) : nil
        for i in output.storage.indices {
            let r = Double(output.storage[i] - target.storage[i])
            total += 0.5 * r * r + 0.5 * log(2 * Double.pi)
            g?.storage[i] = scale * Float(r)
        }
        return LikelihoodEvaluation(total: total, outputGradient: g)
    }

    func mean(output: Matrix, context: CellContext) -> Matrix { output }

    func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        var draws = output
        for i in draws.storage.indices { draws.storage[i] += Float(rng.nextNormal()) }
        return draws
    }
}

let component = ExportedComponent(
    "{{NAME}}", "unit-variance Gaussian", .likelihood { UnitGaussian(spec: $0) }, facts: .likelihood(.scaled))
