"""Pages of supervision: scope -> validate -> call a service or selector -> respond.

One module per area: `plans` (年度计划), `inspections` (现场监督 and what follows), `offsite`
(非现场监督), `suspects` (疑点核查), `whistle` (举报), `penalties` (行政处理处罚意见报批), `training` (培训与指导检查)."""
