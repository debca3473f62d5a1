import Foundation
import VAExprsCore

/// Reads points (e.g. latent means) in double precision from a CSV/TSV with a header row;
/// the first column is taken as point ids when any of its values is not a number.
package enum PointsCSV {
    /// The points, their ids (when the file has an id column) and column names.
    package static func read(_ path: String) throws -> (ids: [String]?, columns: [String], points: DoubleMatrix) {
        let table = try DelimitedText.read(path, expected: "a header row and one row per point")
        let rows = table.lines.dropFirst().map {
            DelimitedText.fields(table.bytes[$0.range], delimiter: table.delimiter)
        }
        guard !rows.isEmpty else { throw VAExprsError.badData("\(path): no points (only a header row)") }
        let firstIsID = rows.contains { Double($0[0]) == nil }
        let offset = firstIsID ? 1 : 0
        let names = Array(table.header.dropFirst(offset))
        guard !names.isEmpty else { throw VAExprsError.badData("\(path): no coordinate columns") }
        var values: [Double] = []
        values.reserveCapacity(rows.count * names.count)
        for (r, row) in rows.enumerated() {
            let line = table.lines[r + 1].number
            guard row.count == names.count + offset else {
                throw VAExprsError.badData(
                    "\(path): line \(line) has \(row.count) fields, the header has \(table.header.count)")
            }
            for (c, field) in row.dropFirst(offset).enumerated() {
                guard let v = Double(field), v.isFinite else {
                    throw VAExprsError.badData(
                        "\(path): line \(line), column '\(names[c])': '\(field)' is not a finite number")
                }
                values.append(v)
            }
        }
        return (
            firstIsID ? rows.map { $0[0] } : nil, names,
            DoubleMatrix(rows: rows.count, columns: names.count, storage: values)
        )
    }
}
