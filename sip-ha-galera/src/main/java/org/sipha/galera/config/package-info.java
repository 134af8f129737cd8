/**
 * One configuration for every proxy of every site, kept in the Galera cluster as numbered versions.
 *
 * <h2>Model</h2>
 * A version ({@link org.sipha.galera.config.ConfigVersion}) holds destination rows
 * ({@link org.sipha.galera.config.DispatcherRow}: the columns of a Kamailio {@code dispatcher.list} line, as in
 * Kamailio's own {@code dispatcher} table) and the Record-Route secrets (current and previous). This module stores,
 * compares and copies rows as written and never interprets them: it does not depend on the dispatcher module, whose
 * list reader the wiring gives the rows to (as list text) to decide whether a version is valid. One parser, one
 * model; here only the columns.
 *
 * <h2>Versions only grow</h2>
 * {@link org.sipha.galera.config.GaleraConfigStore} publishes a version and moves the {@code sipha_config_active}
 * pointer in one transaction; a rollback republishes an old version's content under a new number. So a proxy never
 * goes back to a smaller number, and a node that lags behind the one read before cannot move it backwards.
 *
 * <h2>Reading</h2>
 * Every read goes through the {@link org.sipha.galera.GaleraRoutingDataSource}: only nodes the quorum client trusts
 * (Primary, Synced, majority, canary not failing) are read. {@link org.sipha.galera.config.ConfigWatcher} polls the
 * pointer (one single-row read per interval), reads a newer version in one transaction, validates it, hands it to
 * the wiring, and keeps the last good version in a {@link org.sipha.galera.config.LocalConfigCopy} (0600, atomic
 * rename) for a start without a quorate node.
 */
package org.sipha.galera.config;
