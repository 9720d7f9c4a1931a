import KalandraSimulation
import Testing

@Suite struct SimTimeTests {
    @Test func unitsAndArithmetic() {
        #expect(SimTime.milliseconds(3).microseconds == 3_000)
        #expect(SimTime.seconds(2).microseconds == 2_000_000)
        #expect(SimTime.milliseconds(1) + .microseconds(5) == .microseconds(1_005))
        var time = SimTime.zero
        time += .milliseconds(2)
        #expect(time == .microseconds(2_000))
        #expect(SimTime.milliseconds(5).duration(since: .milliseconds(2)) == .milliseconds(3))
        #expect(SimTime.milliseconds(2).duration(since: .milliseconds(5)) == .zero)
        #expect(SimTime.microseconds(999) < .milliseconds(1))
    }

    @Test func description() {
        #expect(SimTime.microseconds(12_345).description == "12.345ms")
        #expect(SimTime.microseconds(5).description == "0.005ms")
        #expect(SimTime.microseconds(40).description == "0.040ms")
        #expect(SimTime.seconds(1).description == "1000.000ms")
        #expect(SimTime.zero.description == "0.000ms")
    }
}
