// The layers page: add, remove, reorder and rename layers; per layer its init commands (shell
// lines, argv lists or command mappings, "root:" for run_as_root), refresh commands and
// interval, and drives.
#pragma once

#include "app/wizard/wizardpage.h"

#include <QJsonArray>

class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace capsule::app {

class LayersPage : public WizardPage
{
    Q_OBJECT
public:
    explicit LayersPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    // One command per line: "apt-get update" (bash -lc), ["pip","install","x"] (argv),
    // {"type":"shell","args":[...]} (a mapping), a "root: " prefix sets run_as_root; '#' lines
    // are comments. Returns the normalised commands or sets *problem ("Line 2: ...").
    static QJsonArray parseCommands(const QString &text, QString *problem);
    static QString commandsText(const QJsonArray &commands);

    QListWidget *layerList;
    QPushButton *addButton;
    QPushButton *removeButton;
    QPushButton *upButton;
    QPushButton *downButton;
    QPlainTextEdit *initEdit;
    QPlainTextEdit *refreshEdit;
    QLineEdit *intervalEdit;
    QTableWidget *drivesTable;
    QPushButton *addDriveButton;
    QPushButton *removeDriveButton;

private:
    struct Draft
    {
        QString init, refresh, interval;
    };
    QJsonArray layers() const;
    void showLayer(int row);
    void editLayer(); // the editor's widgets changed: write the current layer through
    void drivesEdited();
    void listEdited();
    void moveLayer(int delta);
    void validate();

    QList<Draft> m_drafts;
    int m_current = -1;
    bool m_showing = false;
};

} // namespace capsule::app
