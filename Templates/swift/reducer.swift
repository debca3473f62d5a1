/// The first k features, centred (a valid embedding to start from).
struct FirstFeatures: Reducer {
    let spec: ComponentSpec

    func reduce(_ data: DoubleMatrix, components k: Int, rng: inout SeededGenerator) throws -> Embedding {
        guard k >= 1, k <= data.columns else {
            throw VAExprsError.usage("{{NAME}} gives 1 to \(data.columns) components, asked for \(k)")
        }
        var out = DoubleMatrix(rows: data.rows, columns: k)
        for c in 0..<k {
            let mean = (0..<data.rows).reduce(0.0) { $0 + data[$1, c] } / Double(max(data.rows, 1))
            for i in 0..<data.rows { out[i, c] = data[i, c] - mean }
        }
        return Embedding(coordinates: out, axisTitles: (1...k).map { "feature \($0)" })
    }
}

let component = ExportedComponent("{{NAME}}", "first k features, centred", .reducer { FirstFeatures(spec: $0) })
