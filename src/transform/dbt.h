// The transform subsystem's public door for dbt projects: load a project
// (dbt_project.yml, profiles.yml, models, seeds, snapshots, tests, analyses,
// macros, docs, YAML properties, packages under dbt_packages/), build its
// graph, select nodes as dbt's --select/--exclude do, and write dbt's
// artifacts. Other subsystems include only this header.
//
//   transform::LoadOptions options{.project_dir = "shop"};
//   STRATA_ASSIGN_OR_RETURN(auto project, transform::LoadProject(fs, options));
//   auto graph = transform::DbtGraph::Build(&project);
//   STRATA_RETURN_IF_ERROR(transform::ProjectStatus(project));   // every error, file:line:col
//   STRATA_ASSIGN_OR_RETURN(auto ids, transform::SelectNodes(project, graph, {.select =
//   {"+orders"}}));
//   transform::RunSchedule schedule({ids.begin(), ids.end()}, graph.SelectedParents(ids));
//   // workers: schedule.Next() / schedule.MarkDone()
//   auto manifest = transform::BuildManifest(project, graph,
//   transform::MakeArtifactMetadata(project, clock));
//
// Rendering (Jinja), materializations and the commands come later and build
// on these types; nothing here runs SQL.
#pragma once

#include "transform/dbt_artifacts.h"
#include "transform/dbt_graph.h"
#include "transform/dbt_model.h"
#include "transform/dbt_project.h"
#include "transform/dbt_schedule.h"
#include "transform/dbt_selector.h"
