import Foundation

/// Text forms of DICOM value representations (PS3.5 §6.2). Internal helpers of `DICOMWriter`.
enum DICOMFormat {
    /// A DS (decimal string) of at most 16 characters: the most significant digits that fit.
    static func decimalString(_ v: Double) -> String {
        precondition(v.isFinite, "DS value must be finite")
        if v == 0 { return "0" }
        for digits in stride(from: 15, through: 1, by: -1) {
            var s = String(format: "%.\(digits)g", v)
            if s.contains("e") {
                // DICOM allows exponents ("1e-05"); drop the leading zero of the exponent where possible.
                s = s.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e+")
            }
            if s.count <= 16 { return s }
        }
        return String(format: "%.0e", v)
    }

    /// DA (YYYYMMDD) and TM (HHMMSS.ffffff… trimmed to HHMMSS) of `date` in UTC.
    static func dateTime(_ date: Date) -> (date: String, time: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (String(format: "%04d%02d%02d", c.year!, c.month!, c.day!),
                String(format: "%02d%02d%02d", c.hour!, c.minute!, c.second!))
    }

    /// A value trimmed to `maxLength` characters with backslashes (value separators) removed.
    static func text(_ s: String, maxLength: Int) -> String {
        String(s.replacingOccurrences(of: "\\", with: "/").prefix(maxLength))
    }
}
