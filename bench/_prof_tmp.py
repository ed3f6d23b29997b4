import cProfile, pstats, sys, time
sys.path.insert(0, "bench")
from _fcm_tmp import states, RUNWAYS
from skywitness.flights.runway_table import load_runways
from skywitness.flights.stage import FlightStage
n, s1, p0 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
st = FlightStage(load_runways(RUNWAYS), keep_final=False, late_s=float(sys.argv[4]))
prof = cProfile.Profile()
for s in range(0, s1, 60):
    t = states(n, s, s + 60)
    if s >= p0: prof.enable()
    t0 = time.process_time()
    st.step(t)
    dt = time.process_time() - t0
    if s >= p0: prof.disable()
    print(s, f"{dt:.2f}", st.builder.retained_rows(), st.builder.cuts, flush=True)
pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
