package dev.tailorpo.api.trainer;

import ai.djl.ndarray.NDArray;

/**
 * One labelled comparison of two transitions of the policy for the same prompt and step index:
 * (x_t^w -> x^w) preferred over (x_t^l -> x^l). TailorPO and SPO draw both from one shared x_t
 * ({@code fromPreferred == fromDispreferred}); D3PO's come from two trajectories and differ.
 *
 * @param condition the prompt's conditioning (one row)
 * @param stepIndex the step index of the transitions
 * @param fromPreferred x_t of the preferred transition
 * @param preferred the preferred next state x^w
 * @param fromDispreferred x_t of the dispreferred transition
 * @param dispreferred the dispreferred next state x^l
 */
public record PreferencePair(Conditioning condition, int stepIndex, NDArray fromPreferred, NDArray preferred,
                             NDArray fromDispreferred, NDArray dispreferred) {

    /** Whether both transitions start from the same state (TailorPO's condition). */
    public boolean sharesState() {
        return fromPreferred == fromDispreferred;
    }
}
