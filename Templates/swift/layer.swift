/// y = x ⊙ scale + bias per feature, scale starting at 1: an identity at initialisation.
final class ScaleShift: Layer {
    let spec: ComponentSpec
    var computesInputGradient = true
    private(set) var parameters: [Parameter] = []
    private var input = Matrix(rows: 0, columns: 0)
    init(spec: ComponentSpec) { self.spec = spec }
    func build(inputWidth d: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        parameters = [Parameter(path: path + ".scale", shape: [d], value: [Float](repeating: 1, count: d)),
                      Parameter(path: path + ".bias", shape: [d], value: [Float](repeating: 0, count: d))]
        return d
    }
    func forward(_ x: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        input = x
        var y = x
        let (scale, bias) = (parameters[0].value, parameters[1].value)
        for i in 0..<x.rows { for j in 0..<x.columns { y[i, j] = x[i, j] * scale[j] + bias[j] } }
        return y
    }
    func backward(_ dy: Matrix) -> Matrix {
        var dx = dy
        parameters[0].gradient = [Float](repeating: 0, count: dy.columns)
        parameters[1].gradient = dy.columnSums()
        for i in 0..<dy.rows { for j in 0..<dy.columns {
            parameters[0].gradient[j] += dy[i, j] * input[i, j]
            dx[i, j] = dy[i, j] * parameters[0].value[j]
        } }
        return dx
    }
}

let component = ExportedComponent("{{NAME}}", "per-feature scale and bias", .layer { ScaleShift(spec: $0) })
